/**
 * Fault kinds by name: an explicit map, not reflection (style-models.md "habits not to copy").
 * A third party adds its own kind with registerFaultKind before building an engine.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { acceptThenFailFault } from './kinds/accept-then-fail.js';
import { connectionFault } from './kinds/connection.js';
import { errorFault } from './kinds/error.js';
import { goawayFault } from './kinds/goaway.js';
import { latencyFault } from './kinds/latency.js';
import { outageFault } from './kinds/outage.js';
import { recordedAnswersFault } from './kinds/recorded-answers.js';
import { resetFault } from './kinds/reset.js';
import { stallFault } from './kinds/stall.js';
import { streamsFault } from './kinds/streams.js';
import { throttleFault } from './kinds/throttle.js';
import type { FaultKind } from './types.js';

const kinds = new Map<string, FaultKind>(
  [latencyFault, errorFault, throttleFault, outageFault, goawayFault, resetFault, streamsFault, stallFault, connectionFault, acceptThenFailFault, recordedAnswersFault].map(
    (kind) => [kind.kind, kind],
  ),
);

export function faultKind(name: string): FaultKind | undefined {
  return kinds.get(name);
}

export function faultKindNames(): string[] {
  return [...kinds.keys()];
}

export function registerFaultKind(kind: FaultKind): void {
  if (typeof kind?.kind !== 'string' || !/^[a-z][a-z0-9-]*$/.test(kind.kind)) {
    throw new InvalidArgumentError(`a fault kind needs a kebab-case name, got ${String(kind?.kind)}`);
  }
  if (kinds.has(kind.kind)) throw new InvalidArgumentError(`fault kind '${kind.kind}' is already registered`);
  kinds.set(kind.kind, kind);
}
