/**
 * Records a profile (simulator/profile.ts, `pushsim.profile/1`) from a run: per provider, the time
 * on the wire of every answered attempt (an HDR histogram, as result.json encodes them) and how
 * often each answer came (status + reason, read from the answer with the sender's own parsers, so
 * the names are core/reasons.ts's). A subscriber of the sender's `onAnswer`; only the measured run
 * is recorded (the runner calls it after the warm-up).
 *
 * What pushsim did itself (shed, cut at shutdown, circuit open, expired before sending) never
 * reached the provider and is left out; transport failures on the way (reset, GOAWAY, timeout,
 * connect) are counted apart, as `failures`.
 */
import { createRequire } from 'node:module';
import type * as HdrModule from 'hdr-histogram-js';
import { writeFileAtomically } from '../core/files.js';
import type { Provider } from '../core/reasons.js';
import { apnsOutcome } from '../sender/providers/apns.js';
import { fcmOutcome } from '../sender/providers/fcm.js';
import { webPushOutcome } from '../sender/providers/webpush.js';
import type { FailureKind, TransportResult } from '../sender/transport.js';
import type { Outcome } from '../sender/outcome.js';
import { PROFILE_SCHEMA } from '../simulator/profile.js';
import type { LocalRoundTrip, Profile, ProfileAnswer, ProfileLatency, ProviderProfile } from '../simulator/profile.js';
import { createLatencyHistogram, decodeHistogram, HISTOGRAM_BOUNDS } from './histogram.js';
import type { LatencyHistogram, LatencySummary } from './histogram.js';

const requireCjs = createRequire(import.meta.url);

/** Failures pushsim caused or decided itself: the provider never saw these attempts. */
const ownFailures: ReadonlySet<FailureKind> = new Set(['closed', 'queue-full', 'expired', 'circuit-open', 'shutdown']);

const outcomeOf: Readonly<Record<Provider, (token: string, result: TransportResult, attempts: number) => Outcome>> = {
  apns: apnsOutcome,
  fcm: fcmOutcome,
  webpush: webPushOutcome,
};

interface AnswerCount {
  readonly status: number;
  readonly reason: string | undefined;
  count: number;
  /** Retry-After value (seconds) → times seen. */
  readonly retryAfter: Map<number, number>;
}

class ProviderRecord {
  readonly latency: LatencyHistogram = createLatencyHistogram();
  readonly answers = new Map<string, AnswerCount>();
  readonly failures = new Map<string, number>();
  attempts = 0;
}

export interface ProfileSource {
  readonly scenario?: string;
  /** Provider origin(s); never a path or credentials. */
  readonly target?: string;
  readonly pushsim?: string;
}

/** The probed round trips' percentiles and mean, ms. */
export interface RoundTripSummary extends LatencySummary {
  readonly mean: number;
}

/** What the recorder needs of a round-trip probe (reports/profile-probe.ts's RoundTripProbe). */
export interface RoundTripSource {
  /** The measured run began: count round trips from now on. */
  measure(): void;
  summary(): RoundTripSummary;
  close(): Promise<void>;
  destroy(): void;
}

export interface ProfileRecorderOptions {
  /**
   * This machine's own round trip, probed while the run is measured (reports/profile-probe.ts): its
   * mean is subtracted from every wire time, so `latencyMs` is the provider's time and a mock
   * replaying it does not add this machine's round trip twice. Without it the wire times are kept as
   * they are (and the profile says nothing was subtracted).
   */
  readonly roundTrip?: RoundTripSource;
}

export class ProfileRecorder {
  readonly #providers = new Map<Provider, ProviderRecord>();
  readonly #roundTrip: RoundTripSource | undefined;
  #measuring = false;

  constructor(options: ProfileRecorderOptions = {}) {
    this.#roundTrip = options.roundTrip;
  }

  /** One attempt's answer or failure from `provider`, `wireMs` on the wire (SenderListener.onAnswer). */
  record(provider: Provider, result: TransportResult, wireMs: number): void {
    if (!result.ok && ownFailures.has(result.kind)) return;
    if (!this.#measuring) {
      // The first answer of the measured run: the round trip is probed from here on, at the same moments.
      this.#measuring = true;
      this.#roundTrip?.measure();
    }
    let record = this.#providers.get(provider);
    if (record === undefined) this.#providers.set(provider, (record = new ProviderRecord()));
    record.attempts++;
    if (!result.ok) {
      record.failures.set(result.kind, (record.failures.get(result.kind) ?? 0) + 1);
      return;
    }
    record.latency.recordMs(wireMs);
    const outcome = outcomeOf[provider]('', result, 1);
    const reason = outcome.status === 'rejected' ? outcome.reason : undefined;
    const key = `${result.status} ${reason ?? ''}`;
    let answer = record.answers.get(key);
    if (answer === undefined) record.answers.set(key, (answer = { status: result.status, reason, count: 0, retryAfter: new Map() }));
    answer.count++;
    const retryAfter = retryAfterSeconds(result.headers['retry-after']);
    if (retryAfter !== undefined) answer.retryAfter.set(retryAfter, (answer.retryAfter.get(retryAfter) ?? 0) + 1);
  }

  /** Answered attempts so far, all providers. */
  answered(): number {
    let total = 0;
    for (const record of this.#providers.values()) total += record.latency.count;
    return total;
  }

  /** The profile so far; providers that answered nothing are left out (nothing to replay). */
  profile(recordedAt: Date, source?: ProfileSource): Profile {
    const local = this.#localRoundTrip();
    const providers: Partial<Record<Provider, ProviderProfile>> = {};
    for (const [provider, record] of this.#providers) {
      if (record.latency.count === 0) continue;
      const wire: ProfileLatency = { ...record.latency.summary(), hdr: record.latency.encode() };
      const answers: ProfileAnswer[] = [...record.answers.values()]
        .sort((a, b) => b.count - a.count || a.status - b.status)
        .map(({ status, reason, count, retryAfter }) => ({ status, ...(reason !== undefined && { reason }), count, ...(retryAfter.size > 0 && { retryAfterSeconds: mostCommon(retryAfter) }) }));
      providers[provider] = {
        attempts: record.attempts,
        latencyMs: local === undefined ? wire : shifted(wire.hdr, local.subtractedMs),
        ...(local !== undefined && { wireLatencyMs: wire }),
        answers,
        ...(record.failures.size > 0 && { failures: Object.fromEntries(record.failures) }),
      };
    }
    const cleanSource = source === undefined ? undefined : Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined));
    return {
      schema: PROFILE_SCHEMA,
      recordedAt: recordedAt.toISOString(),
      ...(cleanSource !== undefined && Object.keys(cleanSource).length > 0 && { source: cleanSource }),
      ...(local !== undefined && { localRoundTripMs: local }),
      providers,
    };
  }

  /**
   * The probed round trip and what is subtracted: its mean. To first order a percentile of the
   * provider's time plus a small independent delay is the provider's percentile plus the delay's
   * mean (not its median), so the mean is what a replay adds again. Nothing when no probe ran or
   * none came back.
   */
  #localRoundTrip(): LocalRoundTrip | undefined {
    const summary = this.#roundTrip?.summary();
    if (summary === undefined || summary.count === 0) return undefined;
    const { count, mean, p50, p90, p99, max } = summary;
    return { method: 'loopback-probe', count, mean, p50, p90, p99, max, subtractedMs: mean };
  }

  /** Stops the round-trip probe (its measurements stay for profile()); call when the run ends. */
  async closeProbe(): Promise<void> {
    await this.#roundTrip?.close();
  }

  /** Frees the histograms and stops the probe; idempotent. */
  destroy(): void {
    for (const record of this.#providers.values()) record.latency.destroy();
    this.#providers.clear();
    void this.#roundTrip?.close();
    this.#roundTrip?.destroy();
  }
}

/**
 * The histogram `hdr` (µs) with `shiftMs` taken off every value (down to 0), as a profile's latency:
 * each bucket's count moves to its highest equivalent value minus the shift, so each percentile
 * comes out as the wire's minus the shift, within HDR's 0.1 %.
 */
export function shifted(hdr: string, shiftMs: number): ProfileLatency {
  const module = requireCjs('hdr-histogram-js') as typeof HdrModule;
  const from = module.decodeFromCompressedBase64(hdr, 32, false);
  const to = module.build({
    useWebAssembly: false,
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: HISTOGRAM_BOUNDS.lowestUs,
    highestTrackableValue: HISTOGRAM_BOUNDS.highestUs,
    numberOfSignificantValueDigits: HISTOGRAM_BOUNDS.significantDigits,
  });
  try {
    if (!(from instanceof module.JsHistogram)) throw new Error('hdr-histogram-js decoded into a WebAssembly histogram');
    const shiftUs = Math.round(shiftMs * 1000);
    for (let i = 0; i < from.countsArrayLength; i++) {
      const count = from.getCountAtIndex(i);
      if (count > 0) to.recordValueWithCount(Math.max(from.highestEquivalentValue(from.valueFromIndex(i)) - shiftUs, 0), count);
    }
    const encoded = module.encodeIntoCompressedBase64(to);
    const summary = decodeHistogram(encoded);
    try {
      return { ...summary.summary(), hdr: encoded };
    } finally {
      summary.destroy();
    }
  } finally {
    from.destroy();
    to.destroy();
  }
}

/** Writes a profile whole or not at all. */
export async function writeProfile(profile: Profile, file: string): Promise<void> {
  await writeFileAtomically(file, `${JSON.stringify(profile, null, 2)}\n`);
}

/** Retry-After as delay-seconds (RFC 9110 §10.2.3); an HTTP date is left out (a replay needs a delay, not a moment). */
function retryAfterSeconds(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || !/^\d{1,6}$/.test(text.trim())) return undefined;
  return Math.min(86_400, Number(text.trim()));
}

function mostCommon(values: ReadonlyMap<number, number>): number {
  let best = 0;
  let bestCount = -1;
  for (const [value, count] of values) if (count > bestCount || (count === bestCount && value < best)) [best, bestCount] = [value, count];
  return best;
}
