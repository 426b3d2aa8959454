/**
 * The control API's engine for a mock on several workers: the primary's own FaultEngine keeps the
 * specs, ids, timeline and the one ledger (it sees no traffic); every change is made there first
 * (so a bad spec is refused with the same problems), then on every worker, and answered once all
 * have it; injection counts and metrics are the workers', added when the API reads them.
 */
import type { ControlEngine } from '../control/engine.js';
import type { FaultEngine, FaultView } from '../faults/engine.js';
import type { FaultMetricsSnapshot } from '../faults/metrics.js';
import type { FaultSpec } from '../faults/spec.js';
import type { FaultChange } from './protocol.js';

export interface ClusterControlEngine extends ControlEngine {
  readonly seed: number;
  list(): FaultView[];
  add(spec: FaultSpec): Promise<FaultView>;
  replace(id: string, spec: FaultSpec): Promise<FaultView>;
  remove(id: string): Promise<boolean>;
  reset(): Promise<void>;
  refresh(): Promise<void>;
}

export interface ClusterWorkers {
  /** Brings the workers' counts (and their ledger batches) to the primary. */
  refresh(): Promise<void>;
  /** Makes the change on every worker; resolves once all have it. */
  change(change: FaultChange): Promise<void>;
  nextGeneration(): number;
  countStreams(): void;
  metrics(): FaultMetricsSnapshot;
  injected(id: string): number;
}

export function clusterControlEngine(primary: FaultEngine, workers: ClusterWorkers): ClusterControlEngine {
  const counted = (view: FaultView): FaultView => ({ ...view, injected: workers.injected(view.id) });
  return {
    seed: primary.seed,
    timeline: primary.timeline,
    ledger: primary.ledger,
    get startedAt() {
      return primary.startedAt;
    },
    metrics: { snapshot: () => workers.metrics() },
    phase: (at?: number) => primary.phase(at),
    list: () => primary.list().map(counted),
    countStreams: () => workers.countStreams(),
    refresh: () => workers.refresh(),
    async add(spec) {
      const view = primary.add(spec);
      await workers.change({ op: 'add', spec: view.spec });
      return counted(view);
    },
    async replace(id, spec) {
      const view = primary.replace(id, spec);
      await workers.change({ op: 'replace', faultId: id, spec: view.spec });
      return counted(view);
    },
    async remove(id) {
      if (!primary.remove(id)) return false;
      await workers.change({ op: 'remove', faultId: id });
      return true;
    },
    async reset() {
      const generation = workers.nextGeneration();
      const startedAt = Date.now();
      // change() moves to the new generation at once, so batches from before the reset that are still
      // on their way are dropped, and the ledger cleared here only ever holds the new timeline's.
      const done = workers.change({ op: 'reset', startedAt, generation });
      primary.reset(startedAt);
      await done;
    },
  };
}
