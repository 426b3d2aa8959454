/**
 * Parsers for numeric CLI flags: a bad value is a usage error naming the flag and what it accepts.
 * Numbers are written in decimal (`2000`, `0.5`, `1e3`); `Number()` alone would also take `0x10`,
 * `0b11`, `Infinity` or an empty string, which are typos here, not numbers a user means.
 */
import { InvalidArgumentError } from 'commander';

const decimal = /^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

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
  if (!decimal.test(value) || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError(`expected a number > 0, got "${value}"`);
  }
  return n;
}

/** A tolerance or a limit: 0 is allowed and means "none at all". */
export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (!decimal.test(value) || !Number.isFinite(n) || n < 0) {
    throw new InvalidArgumentError(`expected a number ≥ 0, got "${value}"`);
  }
  return n;
}

export function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError(`expected a whole number ≥ 0, got "${value}"`);
  }
  return n;
}

/** `on` or `off`, as `pushsim tune --breaker on,off` takes them. */
export function onOff(value: string): boolean {
  if (value !== 'on' && value !== 'off') throw new InvalidArgumentError(`expected on or off, got "${value}"`);
  return value === 'on';
}

/**
 * A comma-separated list (`1,3,5`) of what `item` parses, without repeats (each item is a run of
 * `pushsim tune`, and a repeat would run the same variant twice).
 */
export function listOf<T>(item: (value: string) => T, expected: string): (value: string) => T[] {
  return (value) => {
    const items = value.split(',').map((v) => v.trim());
    let parsed: T[];
    try {
      parsed = items.map(item);
    } catch {
      throw new InvalidArgumentError(`expected a comma-separated list of ${expected}, got "${value}"`);
    }
    if (new Set(items).size !== items.length) throw new InvalidArgumentError(`expected a comma-separated list of ${expected} without repeats, got "${value}"`);
    return parsed;
  };
}
