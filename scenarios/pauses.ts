/**
 * Is the measured tail the provider's, or pushsim's own pauses? Every notification passes through
 * two event loops pushsim runs — the sender's thread, and the mock's worker thread when the mock
 * has one — and a callback that waits for a busy loop or a garbage collection adds that wait to
 * the latency reported. `core/pauses.ts` measures both threads; this judges what they could have
 * added to the accepted p99.
 *
 * The estimate, `ownP99Ms`, is the sender thread's event-loop delay p99 plus the mock thread's:
 * how late a ready callback ran at the 99th percentile on each, added as if one notification met
 * both (an upper bound; a pause of an in-process mock is in the sender's number already). Against
 * the accepted latency p99:
 *
 *   - at least `warnPercent` (25 %): a warning — the tail is inflated by pushsim, read it with care;
 *   - at least `validity.maxPauseSharePercent` (default 50 %) **and** at least `minInvalidMs` (50 ms):
 *     the run is not a valid measurement of the target's tail (exit 97 unless failOnOverload is
 *     off). The floor keeps a mock answering in 2 ms from being judged by a 1 ms hiccup.
 */
import type { ThreadPauses } from '../core/pauses.js';
import type { OwnPauses } from '../reports/result.js';

/** Own pauses at or above this share of the accepted p99 get a warning. */
export const pauseWarnPercent = 25;
/** The default of `validity.maxPauseSharePercent`. */
export const defaultMaxPauseSharePercent = 50;
/** Own pauses shorter than this never make a run invalid, whatever their share. */
export const minInvalidPauseMs = 50;

export type PauseTail = NonNullable<OwnPauses['tail']>;

/** The threads' p99 together against the accepted p99; undefined when nothing was accepted. */
export function pauseTail(sender: ThreadPauses, mock: ThreadPauses | undefined, acceptedP99Ms: number | null): PauseTail | undefined {
  if (acceptedP99Ms === null || acceptedP99Ms <= 0) return undefined;
  const ownP99Ms = round(sender.eventLoopDelayMs.p99 + (mock?.eventLoopDelayMs.p99 ?? 0));
  return { ownP99Ms, acceptedP99Ms: round(acceptedP99Ms), percent: round((100 * ownP99Ms) / acceptedP99Ms) };
}

export interface PauseVerdict {
  /** Said when the share is at or above pauseWarnPercent but the run stays valid. */
  readonly warning?: string;
  /** A validity reason when the share is large: the run is not a valid measurement of the tail. */
  readonly reason?: string;
}

export function judgePauses(tail: PauseTail | undefined, maxSharePercent = defaultMaxPauseSharePercent): PauseVerdict {
  if (tail === undefined || tail.percent < pauseWarnPercent) return {};
  const what = `pushsim's own pauses (event-loop delay p99 of the sender and mock threads together, ${Math.round(tail.ownP99Ms)} ms) are ${Math.round(tail.percent)} % of the accepted p99 (${Math.round(tail.acceptedP99Ms)} ms)`;
  if (tail.percent >= maxSharePercent && tail.ownP99Ms >= minInvalidPauseMs) {
    return { reason: `${what}, above the ${maxSharePercent} % bound (validity.maxPauseSharePercent): the tail measures pushsim, not the target` };
  }
  return { warning: `${what}: part of the tail is pushsim's; see "pauses" and the per-second senderDelayMs / mockDelayMs in result.json` };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
