import { Timeline } from '../simulator/faults/timeline.js';
import type { PhaseSpec } from '../simulator/faults/timeline.js';
import type { PhaseSpan } from '../reports/result.js';

/**
 * The fault phases on the measured run's clock: their timeline started `shiftMs` before the first
 * planned send (startMeasuring, then the executor), and is cut to the run; phases that had not
 * begun when it ended are left out.
 */
export function phasesOnRunClock(specs: readonly PhaseSpec[], shiftMs: number, durationMs: number): PhaseSpan[] {
  const end = Math.round(durationMs);
  return new Timeline(specs).phases
    .map((phase) => ({ name: phase.name, startMs: Math.max(0, Math.round(phase.startMs - shiftMs)), endMs: Math.min(end, Math.round(phase.endMs - shiftMs)) }))
    .filter((phase) => phase.startMs < end || (end === 0 && phase.startMs === 0));
}
