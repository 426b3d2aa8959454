/**
 * Policy tuning: which retry / circuit-breaker settings handle a failure scenario best?
 *
 *   base scenario + PolicyGrid ──expandGrid──► variants (cartesian product, ≤ MAX_VARIANTS)
 *        │                                        │ one after the other, each a fresh ScenarioRun:
 *        │                                        ▼ fresh mocks, same seeds, same faults
 *        └──────────────────────────────────► Result ─► tuneMetrics ─► rankVariants ─► TuneReport
 *
 * Real-time runs are sequential on purpose: two runs at once would share the CPU and the loopback,
 * and each would measure the other as much as its policies. Simulations (`virtual`) measure virtual
 * time only, so they may spread over worker threads (tune-threads.ts) with the same results.
 */
import { InvalidConfigError } from '../core/errors.js';
import { tuneMetrics, tuneReport } from '../reports/tune.js';
import type { TuneReport, TunedPolicies, TunedVariant } from '../reports/tune.js';
import type { ScenarioConfig } from './config.js';
import { validateScenario } from './config.js';
import { describeLoad } from './executors/index.js';
import { ScenarioRun } from './runner.js';
import { simulation, simulationProblems } from './simulate.js';
import { simulateInThreads } from './tune-threads.js';
import type { Result } from '../reports/result.js';
import { retryDefaults } from '../sender/interceptors/retry.js';
import { circuitBreakerDefaults } from '../sender/interceptors/circuit-breaker.js';
import { pushAll } from '../core/arrays.js';

/**
 * Values to try, per option of sender/interceptors/retry.ts and circuit-breaker.ts. A policy the
 * grid says nothing about keeps the scenario's setting. Listing any value of a policy turns it on in
 * those variants, on top of the scenario's own settings (or the defaults when it has none or `false`).
 */
export interface PolicyGrid {
  readonly retry?: {
    /** `false` adds a variant without retries (`retry: false`). @default [true] */
    readonly enabled?: readonly boolean[];
    readonly maxAttempts?: readonly number[];
    readonly baseDelayMs?: readonly number[];
    readonly maxDelayMs?: readonly number[];
    readonly retryMaybeProcessed?: readonly boolean[];
  };
  readonly circuitBreaker?: {
    /** `false` adds a variant without a breaker (`circuitBreaker: false`). @default [true] */
    readonly enabled?: readonly boolean[];
    readonly errorRate?: readonly number[];
    readonly openMs?: readonly number[];
    readonly minRequests?: readonly number[];
  };
}

export interface PolicyVariant {
  /** Short and unique within a grid, e.g. `retry 3×50ms · breaker 0.5/5s`. */
  readonly label: string;
  readonly policies: TunedPolicies;
}

/** Each variant is a full run: more than this is hours of load, not a tuning session. */
export const MAX_VARIANTS = 64;

type Section = keyof PolicyGrid;
const axes = {
  retry: ['maxAttempts', 'baseDelayMs', 'maxDelayMs', 'retryMaybeProcessed'],
  circuitBreaker: ['errorRate', 'openMs', 'minRequests'],
} as const satisfies Record<Section, readonly string[]>;
const booleanAxes: ReadonlySet<string> = new Set(['enabled', 'retryMaybeProcessed']);
type Lists = Readonly<Record<string, readonly unknown[] | undefined>>;

/**
 * The concrete `policies` of every combination, retry settings outer, breaker settings inner, each
 * list in its given order. Throws InvalidConfigError listing every problem of the scenario and the
 * grid (each bad value with its path, e.g. `retry.maxAttempts[2]`), and a grid over MAX_VARIANTS.
 */
export function expandGrid(base: ScenarioConfig, grid: PolicyGrid): PolicyVariant[] {
  const problems = [...validateScenario(base)];
  for (const section of Object.keys(grid)) {
    if (!(section in axes)) problems.push(`${section} is not a policy the grid can vary; use retry or circuitBreaker`);
  }
  pushAll(problems, checkSection(base, 'retry', grid.retry));
  pushAll(problems, checkSection(base, 'circuitBreaker', grid.circuitBreaker));
  const retries = settingsOf(base.policies?.retry, grid.retry, axes.retry);
  const breakers = settingsOf(base.policies?.circuitBreaker, grid.circuitBreaker, axes.circuitBreaker);
  const total = retries.length * breakers.length;
  if (total > MAX_VARIANTS) {
    problems.push(`the grid asks for ${total} combinations (${retries.length} retry × ${breakers.length} circuit-breaker settings); at most ${MAX_VARIANTS} run, one after the other: shorten a list`);
  }
  if (problems.length > 0) throw new InvalidConfigError(`scenario "${base.name}" with its policy grid`, problems);
  return retries.flatMap((retry) =>
    breakers.map((circuitBreaker) => {
      const policies: TunedPolicies = { ...(retry !== undefined && { retry }), ...(circuitBreaker !== undefined && { circuitBreaker }) };
      return { label: variantLabel(policies), policies };
    }),
  );
}

export interface TuneOptions {
  /**
   * Called before each variant runs, with its ScenarioRun: subscribe to its events (`done` for a
   * line per finished variant, `progress` for more).
   */
  readonly onRun?: (index: number, total: number, label: string, run: ScenarioRun) => void;
  /** Stops the variant that is running and skips the rest; the report ranks the runs that finished. */
  readonly signal?: AbortSignal;
  /**
   * Runs every variant as a simulation on virtual time (scenarios/simulate.ts), all with the same
   * seed, so they meet the same tokens, latencies and fault dice: a grid over a 10-minute outage
   * in minutes instead of hours. The scenario's target must be one a simulation can run.
   */
  readonly virtual?: {
    readonly seed?: number;
    /**
     * Worker threads the simulations spread over (scenarios/tune-threads.ts); the results are those
     * of one thread, in the same order. `onRun` is not called on more than one thread (the runs live
     * in the threads): use `onResult`. @default 1
     */
    readonly threads?: number;
    /** The thread entry, for tests running from .ts sources. */
    readonly threadScript?: URL;
  };
  /** Called as each variant finishes, with its result (in the order they finish on several threads); on one thread also for the variant a signal cut short (its result says interrupted). */
  readonly onResult?: (index: number, total: number, label: string, result: Result) => void;
}

/**
 * Runs `base` once per variant of `grid` (see expandGrid), one after the other, and ranks them
 * (reports/tune.ts rankVariants). A variant cut short by `signal` is left out: it measured fewer
 * notifications than the others and would rank on a different footing.
 */
export async function tunePolicies(base: ScenarioConfig, grid: PolicyGrid, options: TuneOptions = {}): Promise<TuneReport> {
  const { signal, virtual } = options;
  const variants = expandGrid(base, grid);
  if (virtual !== undefined) {
    // Before the first variant, not at each one.
    const problems = simulationProblems(base);
    if (problems.length > 0) throw new InvalidConfigError(`scenario "${base.name}"`, problems);
  }
  const threads = virtual?.threads ?? 1;
  if (virtual !== undefined && threads > 1) {
    const results = await simulateInThreads(
      variants.map(({ policies }) => ({ ...base, policies })),
      {
        threads,
        ...(virtual.seed !== undefined && { seed: virtual.seed }),
        ...(signal !== undefined && { signal }),
        ...(virtual.threadScript !== undefined && { script: virtual.threadScript }),
        onResult: (index, result) => options.onResult?.(index, variants.length, (variants[index] as PolicyVariant).label, result),
      },
    );
    // The variants finished, in the grid's order: what one thread would have ranked.
    const tuned = variants.flatMap(({ label, policies }, index): TunedVariant[] => {
      const result = results[index];
      return result === undefined ? [] : [{ label, policies, metrics: tuneMetrics(result), result }];
    });
    return tuneReport(base.name, describeLoad(base.load), variants.length, tuned);
  }
  const tuned: TunedVariant[] = [];
  for (const [index, { label, policies }] of variants.entries()) {
    if (signal?.aborted) break;
    const config = { ...base, policies };
    const run =
      virtual === undefined
        ? new ScenarioRun(config, signal ? { signal } : {})
        : simulation(config, { ...(signal !== undefined && { signal }), ...(virtual.seed !== undefined && { seed: virtual.seed }) });
    options.onRun?.(index, variants.length, label, run);
    const result = await run.execute();
    // The variant a signal cut short is reported (as interrupted), never ranked.
    options.onResult?.(index, variants.length, label, result);
    if (signal?.aborted) break;
    tuned.push({ label, policies, metrics: tuneMetrics(result), result });
  }
  return tuneReport(base.name, describeLoad(base.load), variants.length, tuned);
}

/** Problems of one section of the grid: its shape, and each value checked by the policy itself. */
function checkSection(base: ScenarioConfig, section: Section, lists: Lists | undefined): string[] {
  if (lists === undefined) return [];
  if (typeof lists !== 'object' || lists === null || Array.isArray(lists)) return [`${section} must be an object of lists, such as { maxAttempts: [1, 3] }`];
  const known: readonly string[] = ['enabled', ...axes[section]];
  const problems: string[] = [];
  for (const [key, values] of Object.entries(lists)) {
    const at = `${section}.${key}`;
    if (!known.includes(key)) problems.push(`${at} cannot be tuned; use one of ${known.join(', ')}`);
    else if (values === undefined) continue;
    else if (!Array.isArray(values) || values.length === 0) problems.push(`${at} must be a non-empty list, got ${JSON.stringify(values)}`);
    else {
      values.forEach((value: unknown, i) => {
        if (values.indexOf(value) !== i) problems.push(`${at}[${i}] repeats ${JSON.stringify(value)}`);
        else if (booleanAxes.has(key) !== (typeof value === 'boolean')) problems.push(`${at}[${i}] must be ${booleanAxes.has(key) ? 'true or false' : 'a number'}, got ${JSON.stringify(value)}`);
        else if (key !== 'enabled') pushAll(problems, valueProblems(base, section, key, value).map((p) => `${at}[${i}]: ${p}`));
      });
    }
  }
  const enabled = lists['enabled'];
  if (Array.isArray(enabled) && enabled.every((e) => e === false) && axes[section].some((key) => lists[key] !== undefined)) {
    problems.push(`${section}.enabled has no true, so no variant would use the other ${section} lists: add true or remove them`);
  }
  return problems;
}

/**
 * The policy's own constructor holds the rules, and validateScenario runs it: check this value
 * alone, so that every bad value is listed (a constructor stops at the first bad option).
 */
function valueProblems(base: ScenarioConfig, section: Section, key: string, value: unknown): string[] {
  const prefix = `policies.${section}: `;
  const policies = { [section]: { [key]: value } } as TunedPolicies;
  return validateScenario({ ...base, policies })
    .filter((p) => p.startsWith(prefix))
    .map((p) => p.slice(prefix.length));
}

/** The settings of one policy in every variant; `base` alone when the grid does not vary it. */
function settingsOf<T extends object>(base: false | T | undefined, lists: Lists | undefined, keys: readonly string[]): (false | T | undefined)[] {
  const varied = keys.filter((key) => Array.isArray(lists?.[key]));
  const enabled = Array.isArray(lists?.['enabled']) ? (lists['enabled'] as readonly unknown[]) : undefined;
  if (enabled === undefined && varied.length === 0) return [base];
  let on: T[] = [base || ({} as T)];
  for (const key of varied) on = on.flatMap((options) => (lists?.[key] ?? []).map((value) => ({ ...options, [key]: value })));
  return (enabled ?? [true]).flatMap((e): (false | T)[] => (e === false ? [false] : on));
}


/** `retry 3×50ms ≤2000ms · breaker 0.5/5s`: every option the grid can vary that the variant sets. */
export function variantLabel(policies: TunedPolicies): string {
  const { retry, circuitBreaker } = policies;
  const parts: string[] = [];
  if (retry === false) parts.push('retry off');
  else {
    const r = { maxAttempts: retryDefaults.maxAttempts, baseDelayMs: retryDefaults.baseDelayMs, ...retry };
    parts.push(
      `retry ${r.maxAttempts}×${r.baseDelayMs}ms` + (r.maxDelayMs === undefined ? '' : ` ≤${r.maxDelayMs}ms`) + (r.retryMaybeProcessed === false ? ' unprocessed-only' : ''),
    );
  }
  if (circuitBreaker === false) parts.push('breaker off');
  else {
    const b = { errorRate: circuitBreakerDefaults.errorRate, openMs: circuitBreakerDefaults.openMs, ...circuitBreaker };
    const open = b.openMs >= 1000 ? `${b.openMs / 1000}s` : `${b.openMs}ms`;
    parts.push(`breaker ${b.errorRate}/${open}` + (b.minRequests === undefined ? '' : ` min ${b.minRequests}`));
  }
  return parts.join(' · ');
}
