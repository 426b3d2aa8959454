/**
 * `streams`: changes SETTINGS_MAX_CONCURRENT_STREAMS on live connections while the fault is active
 * — down to 1 and back when its window closes — as APNs does (token auth starts at 1 and is raised
 * after the first good request; a 2016 radar saw it drop to 1 after a rejection; protocols.md §1.11).
 * New connections opened during the window get the changed value too. Ignores request targeting;
 * `match.connection` and `probability` pick which connections are affected.
 *
 *   - kind: streams
 *     maxConcurrentStreams: 1
 *     phase: degraded
 */
import type { Problems } from '../check.js';
import { requiredNumber } from '../check.js';
import type { FaultKind, TrackedSession } from '../types.js';

/** `held`: the fault's own limit (kept over the host's later changes, see FaultEngine.setStreamLimit), or undefined to restore the host's. */
function setLimit(tracked: TrackedSession, held: number | undefined): void {
  tracked.heldStreamLimit = held;
  const maxConcurrentStreams = held ?? tracked.baseMaxConcurrentStreams;
  const { session } = tracked;
  if (session.ended) return;
  session.setStreamLimit(maxConcurrentStreams);
}

export const streamsFault: FaultKind = {
  kind: 'streams',
  description: 'change SETTINGS_MAX_CONCURRENT_STREAMS on live connections while active (e.g. down to 1 and back)',
  fields: ['maxConcurrentStreams'],
  validate(spec, at) {
    const problems: Problems = [];
    requiredNumber(problems, spec, 'maxConcurrentStreams', at, 0, 2 ** 31 - 1, true);
    return problems;
  },
  create(spec) {
    const limit = spec['maxConcurrentStreams'] as number;
    return {
      onActivate(runtime) {
        for (const tracked of runtime.sessions()) setLimit(tracked, limit);
        runtime.fired();
      },
      onSession: (tracked, runtime) => runtime.active() && setLimit(tracked, limit),
      onDeactivate(runtime) {
        for (const tracked of runtime.sessions()) setLimit(tracked, undefined);
      },
    };
  },
};
