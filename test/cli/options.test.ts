import { describe, expect, it } from 'vitest';
import { nonNegativeInteger, nonNegativeNumber, port, positiveInteger, positiveNumber } from '../../cli/options.js';

describe('numeric CLI flags', () => {
  it('take decimal numbers only: hex, binary, octal, Infinity, blanks and garbage are usage errors', () => {
    expect(positiveNumber('2000')).toBe(2000);
    expect(positiveNumber('0.5')).toBe(0.5);
    expect(positiveNumber('.5')).toBe(0.5);
    expect(positiveNumber('1e3')).toBe(1000);
    expect(nonNegativeNumber('0')).toBe(0);
    for (const bad of ['0x10', '0b11', '0o7', 'Infinity', '', ' ', ' 5', '5 ', '+5', '-5', '1,000', '1_000', 'NaN', '5/s', '1e', 'e3']) {
      expect(() => positiveNumber(bad), bad).toThrow(/expected a number > 0/);
    }
    expect(() => positiveNumber('0')).toThrow(/expected a number > 0/);
    expect(() => nonNegativeNumber('0x0')).toThrow(/expected a number ≥ 0/);
  });

  it('whole numbers and ports are digits only, within range', () => {
    expect(positiveInteger('42')).toBe(42);
    expect(nonNegativeInteger('0')).toBe(0);
    expect(port('0')).toBe(0);
    for (const bad of ['0x10', '1e3', '1.0', '-1', '', '99999999999999999999']) expect(() => positiveInteger(bad), bad).toThrow(/expected a whole number ≥ 1/);
    expect(() => port('65536')).toThrow(/expected a port from 0 to 65535/);
    expect(() => port('0x50')).toThrow(/expected a port/);
  });
});
