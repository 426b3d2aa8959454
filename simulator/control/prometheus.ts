/**
 * The engine's counters in Prometheus text format (prom-client). Values are read from the engine
 * at scrape time through `collect()`, so nothing on the request path touches prom-client. One
 * Registry per engine: several engines in one process do not share metrics.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { ControlEngine } from './engine.js';

export function createFaultRegistry(engine: ControlEngine): Registry {
  const registry = new Registry();
  const snapshot = () => engine.metrics.snapshot();
  // The streams gauge needs per-stream counting, which the engine does only when asked.
  engine.countStreams();

  new Counter({
    name: 'pushsim_requests_total',
    help: 'Requests (HTTP/2 streams) seen, by provider.',
    labelNames: ['provider'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [provider, count] of Object.entries(snapshot().requests)) this.inc({ provider }, count);
    },
  });
  new Counter({
    name: 'pushsim_responses_total',
    help: 'Responses by provider, status and reason; injected="true" when a fault produced them.',
    labelNames: ['provider', 'status', 'reason', 'injected'],
    registers: [registry],
    collect() {
      this.reset();
      for (const r of snapshot().responses) this.inc({ provider: r.provider, status: String(r.status), reason: r.reason, injected: String(r.injected) }, r.count);
    },
  });
  new Counter({
    name: 'pushsim_faults_injected_total',
    help: 'Faults injected, by fault kind and id.',
    labelNames: ['kind', 'fault'],
    registers: [registry],
    collect() {
      this.reset();
      for (const f of snapshot().injected) this.inc({ kind: f.kind, fault: f.id }, f.count);
    },
  });
  new Gauge({
    name: 'pushsim_connections_active',
    help: 'HTTP/2 connections open now.',
    registers: [registry],
    collect() {
      this.set(snapshot().connectionsActive);
    },
  });
  new Gauge({
    name: 'pushsim_streams_active',
    help: 'HTTP/2 streams open now.',
    registers: [registry],
    collect() {
      this.set(snapshot().streamsActive);
    },
  });
  new Counter({
    name: 'pushsim_deliveries_total',
    help: 'Notifications the provider accepted (delivery ledger), by provider.',
    labelNames: ['provider'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [provider, counts] of Object.entries(engine.ledger.summary().byProvider)) this.inc({ provider }, counts.delivered);
    },
  });
  new Counter({
    name: 'pushsim_duplicate_deliveries_total',
    help: 'Deliveries of a notification that had already been delivered (delivery ledger).',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(engine.ledger.summary().duplicates);
    },
  });
  return registry;
}
