/**
 * What the control API (server.ts) and its /metrics (prometheus.ts) read and drive, in a file of its
 * own so neither imports the other for it.
 */
import type { FaultEngine, FaultView } from '../faults/engine.js';
import type { FaultSpec } from '../faults/spec.js';

/**
 * What the API drives: a FaultEngine, or one standing for several (the workers of one mock,
 * simulator/cluster/), whose changes may finish asynchronously once every worker has them.
 */
export interface ControlEngine extends Pick<FaultEngine, 'list' | 'phase' | 'timeline' | 'startedAt' | 'ledger' | 'countStreams'> {
  readonly metrics: Pick<FaultEngine['metrics'], 'snapshot'>;
  add(spec: FaultSpec): FaultView | Promise<FaultView>;
  replace(id: string, spec: FaultSpec): FaultView | Promise<FaultView>;
  remove(id: string): boolean | Promise<boolean>;
  reset(): void | Promise<void>;
  /** Called before every request is answered, to bring what the API reads up to date. */
  refresh?(): Promise<void>;
}
