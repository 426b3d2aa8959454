/**
 * The control API's engine for a mock on several workers, with the workers faked: a change is made
 * on the primary's engine first (a bad spec never reaches a worker), then on the workers; counts are
 * the workers'; a reset moves to the next generation before the primary's ledger is cleared.
 */
import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../../core/errors.js';
import { clusterControlEngine, type ClusterWorkers } from '../../../simulator/cluster/control.js';
import type { FaultChange } from '../../../simulator/cluster/protocol.js';
import { FaultEngine } from '../../../simulator/faults/engine.js';

function fakeWorkers(): ClusterWorkers & { changes: FaultChange[]; generation: number } {
  const fake = {
    changes: [] as FaultChange[],
    generation: 0,
    refresh: async () => {},
    change: async (change: FaultChange) => {
      fake.changes.push(change);
      if (change.op === 'reset') fake.generation = change.generation;
    },
    nextGeneration: () => fake.generation + 1,
    countStreams: () => {},
    metrics: () => ({ requests: {}, responses: [], injected: [], connectionsOpened: 0, connectionsActive: 0, streamsActive: 0 }),
    injected: (id: string) => (id === 'down' ? 5 : 0),
  };
  return fake;
}

describe('clusterControlEngine', () => {
  it('adds on the primary, then on every worker, and lists the workers\' injection counts', async () => {
    const primary = new FaultEngine({ tickMs: 0 });
    const workers = fakeWorkers();
    const engine = clusterControlEngine(primary, workers);
    const view = await engine.add({ kind: 'error', id: 'down', apns: 'ServiceUnavailable' } as never);
    expect(view).toMatchObject({ id: 'down', injected: 5 });
    expect(workers.changes).toEqual([{ op: 'add', spec: expect.objectContaining({ id: 'down', kind: 'error' }) }]);
    expect(engine.list()).toEqual([expect.objectContaining({ id: 'down', injected: 5 })]);
    expect(await engine.remove('down')).toBe(true);
    expect(await engine.remove('down')).toBe(false);
    expect(workers.changes.map((c) => c.op)).toEqual(['add', 'remove']);
    primary.close();
  });

  it('refuses a bad spec on the primary without telling any worker', async () => {
    const primary = new FaultEngine({ tickMs: 0 });
    const workers = fakeWorkers();
    const engine = clusterControlEngine(primary, workers);
    await expect(engine.add({ kind: 'no-such-kind' } as never)).rejects.toBeInstanceOf(InvalidConfigError);
    expect(workers.changes).toEqual([]);
    primary.close();
  });

  it('resets every worker at one epoch, in the next generation, and clears the primary\'s ledger', async () => {
    const primary = new FaultEngine({ tickMs: 0, startedAt: 1_000 });
    primary.ledger.record({ provider: 'apns', token: 't', notificationId: 'a' });
    const workers = fakeWorkers();
    const engine = clusterControlEngine(primary, workers);
    await engine.reset();
    const [reset] = workers.changes as [Extract<FaultChange, { op: 'reset' }>];
    expect(reset).toMatchObject({ op: 'reset', generation: 1 });
    expect(engine.startedAt).toBe(reset.startedAt);
    expect(primary.ledger.summary().delivered).toBe(0);
    primary.close();
  });
});
