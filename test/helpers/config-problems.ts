/** The problems of the InvalidConfigError that `build` throws; fails the test when it throws none. */
import { expect } from 'vitest';
import { InvalidConfigError } from '../../core/errors.js';

export function configProblems(build: () => unknown): readonly string[] {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConfigError);
    return (error as InvalidConfigError).problems;
  }
  throw new Error('expected an InvalidConfigError, and nothing was thrown');
}
