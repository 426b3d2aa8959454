/**
 * Process exit codes, stable so CI can tell "the SLO failed" from "the config is broken"
 * (after k6 errext/exitcodes: ThresholdsHaveFailed = 99, InvalidConfig = 104).
 */
export const ExitCode = {
  ok: 0,
  /** A bug or an unexpected failure inside pushsim. */
  internal: 1,
  /** Unknown command, bad or missing CLI flag. */
  usage: 2,
  /** A key, certificate or service account could not be read or used. */
  credential: 3,
  /** The target could not be reached at all (no notification was acknowledged). */
  targetUnreachable: 4,
  /**
   * The run is not a valid measurement of the target: pushsim itself fell behind its schedule or
   * shed load (overload; result.json `validity`). A scenario opts out with `validity.failOnOverload: false`.
   */
  overload: 97,
  /**
   * `pushsim compare`: the candidate is worse than the base beyond a tolerance. Its own code, next
   * to 99, so CI can tell "slower than last release" from "missed an absolute SLO".
   */
  performanceRegression: 98,
  /** One or more thresholds failed. */
  thresholdsFailed: 99,
  /** A scenario, fault spec or mock config file is invalid. */
  invalidConfig: 104,
  /** The run was interrupted by SIGINT (Ctrl-C): 128 + 2, as shells report it. The partial result is written. */
  interrupted: 130,
  /** The run was stopped by SIGTERM: 128 + 15. The partial result is written. */
  terminated: 143,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
