/** Parsers for numeric CLI flags: a bad value is a usage error naming the flag and what it accepts. */
import { InvalidArgumentError } from 'commander';

export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(`expected a whole number ≥ 1, got "${value}"`);
  }
  return n;
}

export function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) {
    throw new InvalidArgumentError(`expected a port from 0 to 65535 (0 picks a free one), got "${value}"`);
  }
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError(`expected a number > 0, got "${value}"`);
  }
  return n;
}

/** A tolerance or a limit: 0 is allowed and means "none at all". */
export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new InvalidArgumentError(`expected a number ≥ 0, got "${value}"`);
  }
  return n;
}
