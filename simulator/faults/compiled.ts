/**
 * A fault as the engine holds it: its spec compiled once (kind behaviour, matcher, window, dice key)
 * plus its counters, and the selection rules that do not depend on a request.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import type { Dice } from './dice.js';
import { hashString, mixKey, seedKey } from './dice.js';
import { faultKind } from './registry.js';
import type { FaultSpec, Matcher } from './spec.js';
import { compileMatch } from './spec.js';
import type { ProbabilitySpec, Timeline, Window } from './timeline.js';
import { probabilityAt, windowOf } from './timeline.js';
import type { FaultBehaviour } from './types.js';

export interface Fault {
  readonly id: string;
  readonly spec: FaultSpec;
  readonly behaviour: FaultBehaviour;
  /** A 'delay' kind (latency): keeps running after another fault chose the action. */
  readonly delayOnly: boolean;
  readonly match: Matcher | undefined;
  readonly window: Window;
  readonly probability: ProbabilitySpec | undefined;
  /** hash(id): keys the dice, so a fault's rolls do not depend on its position in the list. */
  readonly idKey: number;
  /** Matching requests seen (everyNth). */
  matched: number;
  /** Dice key for requests without a token. */
  sequence: number;
  injected: number;
  /**
   * Requests an accept-then-fail chose that the provider has not answered yet: they may still
   * become injections, so `limit` counts them too (two concurrent requests cannot both take the last one).
   */
  pending: number;
  /** Window open at the last tick (onActivate / onDeactivate fire on changes). */
  active: boolean;
}

/** `spec` must be validated and have its id. */
export function compileFault(spec: FaultSpec, timeline: Timeline): Fault {
  const kind = faultKind(spec.kind);
  if (kind === undefined) throw new InvalidArgumentError(`unknown fault kind '${spec.kind}'`);
  const id = spec.id ?? spec.kind;
  return {
    id,
    spec,
    behaviour: kind.create(spec),
    delayOnly: kind.effect === 'delay',
    match: compileMatch(spec.match),
    window: windowOf(spec, timeline),
    probability: spec.probability,
    idKey: hashString(id),
    matched: 0,
    sequence: 0,
    injected: 0,
    pending: 0,
    active: false,
  };
}

/** Enabled and inside its window, `offsetMs` after the timeline's start. */
export function isActive(fault: Fault, offsetMs: number): boolean {
  return fault.spec.enabled !== false && offsetMs >= fault.window.startMs && offsetMs < fault.window.endMs;
}

/** match.connection and the per-connection probability roll, keyed by (seed, fault, connection id). */
export function selectsConnection(fault: Fault, connectionId: number, offsetMs: number, seed: number, dice: Dice): boolean {
  const connections = fault.spec.match?.connection;
  if (connections !== undefined && !(Array.isArray(connections) ? connections : [connections]).includes(connectionId)) return false;
  const probability = probabilityAt(fault.probability, fault.window, offsetMs);
  if (probability >= 1) return true;
  return dice.rekey(mixKey(mixKey(seedKey(seed), fault.idKey), -connectionId)).next() < probability;
}
