/**
 * The configuration a run was made with, as result.json records it (`config`): the load model, the
 * target's kind and providers, the provider mix, the recipients and their seed, the sender's
 * options, the resilience policies, the faults (seed, phases, each fault's spec) and the validity
 * bounds — flags applied, so it is what ran, not what the file said. A report shows it beside the
 * numbers it produced (k6's options block in its summary export).
 *
 * Never a secret: no key, token, credential, key path or key id (scenarios/run-config.ts builds it
 * from the scenario leaving those out, and a URL target is named by its origin only, in `target`).
 * Plain data only: what a later version adds to a section shows up in it without a schema change.
 *
 * Also the rows a report prints of it (`configRows`): label, value, one line each.
 */
/** A section of plain data (numbers, strings, booleans, lists and objects of them). */
export type PlainRecord = Readonly<Record<string, unknown>>;

export interface RunConfig {
  /** The load model as run: `executor` and its fields (rate, count, durationMs, stages, inFlight). */
  readonly load: PlainRecord;
  /** `mock` (pushsim's own mocks, with their TLS, placement and latency) or `url` (an external origin). */
  readonly target: { readonly kind: string; readonly providers: readonly string[]; readonly tls?: boolean; readonly worker?: boolean; readonly latency?: unknown };
  /** Share of the notifications per provider (normalized weights; one provider: 1). */
  readonly mix: Readonly<Record<string, number>>;
  readonly tokens: { readonly count: number; readonly unregisteredRatio: number; readonly seed: number };
  /** sender.connections, maxInFlight, maxQueue, requestTimeoutMs. */
  readonly sender: PlainRecord;
  readonly gracefulStopMs: number;
  readonly warmup: number;
  /**
   * The resilience policies as the scenario set them: `retry` and `circuitBreaker` each `'default'`
   * (absent: on, with the sender's defaults), `false` (off) or the options given (the rest default).
   * A scenario sets no fallback route or deadline (notifications keep the provider's own expiry).
   */
  readonly policies: { readonly retry: 'default' | false | PlainRecord; readonly circuitBreaker: 'default' | false | PlainRecord };
  /** The fault spec: dice seed, phases, faults (kind, id, match, probability, schedule, the kind's fields). */
  readonly faults?: { readonly seed?: number; readonly phases?: readonly PlainRecord[]; readonly faults: readonly PlainRecord[] };
  /** The validity bounds the scenario set (scenarios/overload.ts), when it set any. */
  readonly validity?: PlainRecord;
  readonly thresholds?: readonly string[];
  /** Recipients from a file: its name relative to the scenario, its format, rows and sha256 (never its content). */
  readonly recipients?: { readonly file: string; readonly format: string; readonly rows?: number; readonly sha256?: string };
}

/** A value as one compact line: `a 1, b 2`, lists `[…]`, nested objects in braces. */
export function compactValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(compactValue).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return entries.map(([k, v]) => `${k} ${typeof v === 'object' && v !== null && !Array.isArray(v) ? `{${compactValue(v)}}` : compactValue(v)}`).join(', ');
  }
  return String(value);
}

function policyValue(policy: 'default' | false | PlainRecord, defaults: string): string {
  if (policy === false) return 'off';
  if (policy === 'default') return `on, defaults (${defaults})`;
  return `${compactValue(policy)} (the rest default)`;
}

/**
 * The policies' defaults (sender/interceptors/retry.ts `retryDefaults`, circuit-breaker.ts
 * `circuitBreakerDefaults`; a test holds them equal), written out so that reading a report does
 * not load the sender.
 */
export const policyDefaults = {
  retry: { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 30_000 },
  circuitBreaker: { errorRate: 0.5, minRequests: 20, openMs: 5000 },
} as const;
const retryDefaultsLabel = compactValue(policyDefaults.retry);
const breakerDefaultsLabel = compactValue(policyDefaults.circuitBreaker);

/**
 * The configuration as label/value rows, in reading order: what ran, against what, how hard, with
 * which policies and faults, from which seeds. `extra` adds what the result holds elsewhere
 * (pushsim version, workers, shards), so a report shows them in one place.
 */
export function configRows(config: RunConfig, extra: { readonly pushsim?: string; readonly workers?: number; readonly shards?: string; readonly virtual?: boolean } = {}): [string, string][] {
  const { target } = config;
  const rows: [string, string][] = [
    ['load', compactValue(config.load)],
    [
      'target',
      extra.virtual === true
        ? `pushsim mocks, ${target.providers.join(' + ')}, simulated (their own logic on virtual time, no sockets)`
        : [target.kind === 'mock' ? 'pushsim mocks' : 'external origin', target.providers.join(' + '), target.tls === undefined ? '' : target.tls ? 'TLS' : 'h2c', target.worker === true ? 'APNs mock in a worker thread' : ''].filter((s) => s !== '').join(', '),
    ],
  ];
  if (target.latency !== undefined) rows.push(['mock latency', compactValue(target.latency)]);
  const file = config.recipients;
  if (file === undefined) {
    if (Object.keys(config.mix).length > 1) rows.push(['mix', Object.entries(config.mix).map(([p, share]) => `${p} ${Math.round(share * 1000) / 10} %`).join(', ')]);
    rows.push(['recipients', `${config.tokens.count} (${Math.round(config.tokens.unregisteredRatio * 1000) / 10} % unregistered), seed ${config.tokens.seed}`]);
  } else {
    rows.push(['recipients', `${file.file} (${file.format}${file.rows === undefined ? '' : `, ${file.rows} rows`}${file.sha256 === undefined ? '' : `, sha256 ${file.sha256.slice(0, 16)}…`})`]);
    // No mix with a recipients file (scenarios/recipients-config.ts refuses one): each row goes to its
    // first channel in the target's order and falls back along it (scenarios/recipients-send.ts).
    if (target.providers.length > 1) rows.push(['routing', `each recipient to its first channel of ${target.providers.join(' → ')}, falling back along that order (no mix)`]);
  }
  rows.push(
    ['sender', compactValue(config.sender)],
    ['stop', `warm-up ${config.warmup} notifications · graceful stop ${config.gracefulStopMs} ms`],
    ['retry', policyValue(config.policies.retry, retryDefaultsLabel)],
    ['circuit breaker', policyValue(config.policies.circuitBreaker, breakerDefaultsLabel)],
  );
  const faults = config.faults;
  if (faults !== undefined) {
    if (faults.seed !== undefined) rows.push(['fault seed', String(faults.seed)]);
    if (faults.phases !== undefined && faults.phases.length > 0) rows.push(['fault phases', faults.phases.map((p) => `${String(p['name'])} ${p['durationMs'] === undefined ? 'to the end' : `${String(p['durationMs'])} ms`}`).join(' → ')]);
    for (const fault of faults.faults) {
      const { kind, id, ...rest } = fault;
      rows.push([`fault ${String(id ?? kind)}`, `${String(kind)}${Object.keys(rest).length > 0 ? `: ${compactValue(rest)}` : ''}`]);
    }
  }
  if (config.validity !== undefined) rows.push(['validity', compactValue(config.validity)]);
  if (config.thresholds !== undefined && config.thresholds.length > 0) rows.push(['thresholds', config.thresholds.join(' · ')]);
  if (extra.workers !== undefined) rows.push(['workers', String(extra.workers)]);
  if (extra.shards !== undefined) rows.push(['shards', extra.shards]);
  if (extra.pushsim !== undefined) rows.push(['pushsim', extra.pushsim]);
  return rows;
}
