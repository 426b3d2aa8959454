/**
 * The whole mock's numbers from its workers': stats and fault metrics added field by field.
 */
import type { FaultMetricsSnapshot, ResponseCount } from '../faults/metrics.js';

/** Adds numbers found at the same place in each record (nested records too); other values: the first's. */
export function sumRecords<T>(records: readonly T[]): T {
  const sum: Record<string, unknown> = {};
  for (const record of records) {
    for (const [key, value] of Object.entries(record as Record<string, unknown>)) {
      const before = sum[key];
      if (typeof value === 'number') sum[key] = (typeof before === 'number' ? before : 0) + value;
      else if (typeof value === 'object' && value !== null && !Array.isArray(value)) sum[key] = sumRecords(before === undefined ? [value] : [before, value]);
      else if (!(key in sum)) sum[key] = value;
    }
  }
  return sum as T;
}

export function mergeFaultMetrics(snapshots: readonly FaultMetricsSnapshot[]): FaultMetricsSnapshot {
  const responses = new Map<string, ResponseCount>();
  for (const snapshot of snapshots) {
    for (const r of snapshot.responses) {
      const key = `${r.provider} ${r.status} ${r.reason} ${r.injected}`;
      const before = responses.get(key);
      responses.set(key, { ...r, count: (before?.count ?? 0) + r.count });
    }
  }
  const injected = new Map<string, { id: string; kind: string; count: number }>();
  for (const snapshot of snapshots) {
    for (const f of snapshot.injected) injected.set(f.id, { ...f, count: (injected.get(f.id)?.count ?? 0) + f.count });
  }
  const numbers = sumRecords(snapshots.map(({ requests, connectionsOpened, connectionsActive, streamsActive }) => ({ requests, connectionsOpened, connectionsActive, streamsActive })));
  return {
    requests: numbers.requests ?? {},
    responses: [...responses.values()],
    injected: [...injected.values()],
    connectionsOpened: numbers.connectionsOpened ?? 0,
    connectionsActive: numbers.connectionsActive ?? 0,
    streamsActive: numbers.streamsActive ?? 0,
  };
}
