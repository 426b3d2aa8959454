/**
 * fast-check settings for the fuzz suite: bounded runs so it stays fast, and a way to replay a
 * failure. fast-check puts the seed and the shrunk counterexample in the failure's message
 * ("Property failed after N tests { seed: …, path: … }"), which vitest prints; rerun with
 * FC_SEED=<seed> (and FC_RUNS for more or fewer runs).
 */
import type { Parameters } from 'fast-check';

export function runs<T>(numRuns: number): Parameters<T> {
  const seed = process.env['FC_SEED'];
  return {
    numRuns: Number(process.env['FC_RUNS'] ?? numRuns),
    ...(seed !== undefined && seed !== '' && { seed: Number(seed) }),
    // A counterexample with its seed is enough; shrinking a slow one forever is not.
    interruptAfterTimeLimit: 60_000,
    markInterruptAsFailure: true,
  };
}

/** The error a parser may throw for bad input; anything else is a bug the property reports. */
export function onlyInvalidConfig(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'PUSHSIM_ERR_INVALID_CONFIG') throw error;
  }
}
