/**
 * Counters of the fault engine and its host, as plain numbers bumped on the hot path and read at
 * scrape time (control/prometheus.ts turns them into Prometheus text with prom-client), so an idle
 * engine costs a map increment per request, not a labelled prom-client call.
 */
import type { FaultProvider } from './types.js';

export interface ResponseCount {
  readonly provider: string;
  readonly status: number;
  readonly reason: string;
  /** true when a fault produced the answer, false when the provider did. */
  readonly injected: boolean;
  readonly count: number;
}

export interface FaultMetricsSnapshot {
  readonly requests: Readonly<Record<string, number>>;
  readonly responses: readonly ResponseCount[];
  /** Injections per fault: `{ id, kind, count }`. */
  readonly injected: readonly { readonly id: string; readonly kind: string; readonly count: number }[];
  readonly connectionsOpened: number;
  readonly connectionsActive: number;
  readonly streamsActive: number;
}

export class FaultMetrics {
  readonly #requests = new Map<string, number>();
  readonly #responses = new Map<string, { provider: string; status: number; reason: string; injected: boolean; count: number }>();
  readonly #injected = new Map<string, { id: string; kind: string; count: number }>();
  #lastResponse: { provider: string; status: number; reason: string; injected: boolean; count: number } | undefined;
  connectionsOpened = 0;
  connectionsActive = 0;
  streamsActive = 0;

  request(provider: FaultProvider): void {
    this.#requests.set(provider, (this.#requests.get(provider) ?? 0) + 1);
  }

  response(provider: string, status: number, reason: string, injected: boolean): void {
    // The last answer's entry first: under load most answers repeat it (200 accepted), and this
    // skips building the map key, which a mock pays on every answer once faults are configured.
    const last = this.#lastResponse;
    if (last !== undefined && last.status === status && last.reason === reason && last.provider === provider && last.injected === injected) {
      last.count++;
      return;
    }
    const key = `${provider} ${status} ${reason} ${injected}`;
    let entry = this.#responses.get(key);
    if (entry) entry.count++;
    else this.#responses.set(key, (entry = { provider, status, reason, injected, count: 1 }));
    this.#lastResponse = entry;
  }

  fired(id: string, kind: string): void {
    const entry = this.#injected.get(id);
    if (entry) entry.count++;
    else this.#injected.set(id, { id, kind, count: 1 });
  }

  snapshot(): FaultMetricsSnapshot {
    return {
      requests: Object.fromEntries(this.#requests),
      responses: [...this.#responses.values()].map((entry) => ({ ...entry })),
      injected: [...this.#injected.values()].map((entry) => ({ ...entry })),
      connectionsOpened: this.connectionsOpened,
      connectionsActive: this.connectionsActive,
      streamsActive: this.streamsActive,
    };
  }

  clear(): void {
    this.#requests.clear();
    this.#responses.clear();
    this.#lastResponse = undefined;
    this.#injected.clear();
    this.connectionsOpened = 0;
  }
}
