/**
 * The fault engine: holds the faults of a spec, decides per request which fire, tracks sessions for
 * frame- and connection-level faults, and owns the delivery ledger and the metrics. Hosts (the
 * mocks, the fault proxy) call four hooks — see FaultHooks in hooks.ts for the exact contract.
 *
 * Per fault, the framework (never the kind) checks, in order: enabled, schedule window, limit,
 * match (provider, token, topic, push type, priority, connection), firstNPerToken, everyNth, then
 * probability (ramped across the window) with dice keyed by (seed, fault id, token, attempt).
 */
import type { Http2Session, ServerHttp2Stream } from 'node:http2';
import type { Server, Socket } from 'node:net';
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { systemScheduler, type CancelTimer, type Scheduler } from '../../core/scheduler.js';
import { InvalidArgumentError, InvalidConfigError } from '../../core/errors.js';
import { RecentMap } from '../../core/recent-map.js';
import { DeliveryLedger, type ExpectedTraffic } from '../ledger/ledger.js';
import { createDice, hashString, mixKey, seedKey } from './dice.js';
import { applyFaultDecision, interceptConnections, recordingAccept } from './hooks.js';
import type { Proceed } from './hooks.js';
import { compileFault, isActive, selectsConnection } from './compiled.js';
import type { Fault } from './compiled.js';
import { FaultMetrics } from './metrics.js';
import { InjectionTimeline } from './injection-timeline.js';
import { SessionTracker } from './sessions.js';
import type { FaultSpec, FaultsDocument } from './spec.js';
import { phaseMap, validateFault, validateFaultsDocument, withId } from './spec.js';
import { Timeline, probabilityAt } from './timeline.js';
import type { ConnectionVerdict, FaultDecision, FaultEffect, FaultHost, FaultSession, FaultRequestInfo, FaultRuntime, FiredFault, PendingInjection, ResolvedRequest, TrackedSession } from './types.js';

export interface FaultEngineOptions {
  /** Faults and phases; validated here (InvalidConfigError lists every problem). */
  readonly spec?: FaultsDocument;
  /** Overrides `spec.seed`. @default spec.seed ?? 1 */
  readonly seed?: number;
  /** Time for schedules, buckets and the ledger. @default systemClock (the scheduler when one is given) */
  readonly clock?: Clock;
  /**
   * Timers of session-level faults (idle / max-age GOAWAY), and, on virtual time, the schedule
   * windows' transitions: a virtual engine (scheduler.virtual) sets one timer for the next window
   * opening or closing of a fault that acts when it does (streams, connection reset) instead of
   * polling every tickMs. @default real timers that keep no process alive
   */
  readonly scheduler?: Scheduler;
  /** @default a DeliveryLedger on the same clock, keeping `ledgerRecords` records */
  readonly ledger?: DeliveryLedger;
  /** Latest deliveries kept for `ledger.records()` when the engine builds its ledger (counts are always exact). @default 0 */
  readonly ledgerRecords?: number;
  /** The traffic to expect, so the ledger the engine builds sizes its tables up front (ledger.ts). @default none */
  readonly ledgerExpected?: ExpectedTraffic;
  /**
   * Tokens whose attempt counts (dice, firstNPerToken) are remembered: the most recently seen this
   * many, up to twice as many held. @default 100000
   */
  readonly attemptTokens?: number;
  /** How often a timer checks for schedule windows opening/closing (frame and connection faults). 0 = only on requests and tick(). @default 100 */
  readonly tickMs?: number;
  /** Where spec problems are said to be, in InvalidConfigError. @default 'fault spec' */
  readonly source?: string;
  /**
   * Start with none of the spec's faults installed, until reset() installs them and starts the
   * timeline: a scenario warms up on a healthy mock, then its faults and phases begin with the
   * measured run. @default false
   */
  readonly paused?: boolean;
  /**
   * Epoch ms the timeline starts at, instead of the clock's now: several engines (the workers of one
   * mock, simulator/cluster/) share one timeline this way. @default clock.now()
   */
  readonly startedAt?: number;
}

/** A fault as listed by the engine and the control API. */
export interface FaultView {
  readonly id: string;
  readonly kind: string;
  readonly active: boolean;
  readonly injected: number;
  readonly spec: FaultSpec;
}


export class FaultEngine implements FaultHost {
  readonly ledger: DeliveryLedger;
  readonly metrics = new FaultMetrics();
  /** When the faults fired, per 100 ms of the timeline (the runner's per-second chart). */
  readonly injections = new InjectionTimeline();
  readonly seed: number;
  readonly timeline: Timeline;
  readonly #clock: Clock;
  readonly #initial: readonly FaultSpec[];
  readonly #source: string;
  readonly #dice = createDice();
  /**
   * Attempts per token: a counter object each, so counting is one map lookup, not a get and a set.
   * Bounded for a long soak with a large token population: the counts of the `attemptTokens` most
   * recently seen tokens are kept (up to twice that many), a token unseen for longer counts from 1
   * again (core/recent-map.ts).
   */
  readonly #attempts: RecentMap<string, { n: number }>;
  #lastAttempt = 0;
  readonly #sessions: SessionTracker;
  readonly #phases: ReadonlyMap<string, boolean>;
  #faults: Fault[] = [];
  /** The request path's view of #faults (#index): what decide() walks. */
  #requestFaults: RequestFaults = indexRequestFaults([]);
  #startedAt: number;
  #nextTransitionAt = Number.POSITIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  readonly #scheduler: Scheduler;
  /** The armed transition timer on virtual time. */
  #transitionTimer: { readonly at: number; readonly cancel: CancelTimer } | undefined;
  #closed = false;

  constructor(options: FaultEngineOptions = {}) {
    const spec = options.spec ?? {};
    this.#source = options.source ?? 'fault spec';
    const problems = validateFaultsDocument(spec);
    if (problems.length > 0) throw new InvalidConfigError(this.#source, problems);
    const clock = options.clock ?? options.scheduler ?? systemClock;
    this.#scheduler = options.scheduler ?? systemScheduler;
    if (typeof clock?.now !== 'function') throw new InvalidArgumentError('clock must be an object with a now() method returning epoch ms');
    this.#clock = clock;
    const attemptTokens = options.attemptTokens ?? 100_000;
    if (!Number.isSafeInteger(attemptTokens) || attemptTokens < 1) throw new InvalidArgumentError(`attemptTokens must be an integer >= 1, got ${String(attemptTokens)}`);
    this.#attempts = new RecentMap(attemptTokens);
    this.#sessions = new SessionTracker(this.metrics, () => clock.now());
    const seed = options.seed ?? spec.seed ?? 1;
    if (!Number.isSafeInteger(seed) || seed < 0) throw new InvalidArgumentError(`seed must be an integer >= 0, got ${String(seed)}`);
    this.seed = seed;
    this.timeline = new Timeline(spec.phases);
    this.#phases = phaseMap(spec.phases);
    this.ledger = options.ledger ?? new DeliveryLedger({ clock, maxRecords: options.ledgerRecords ?? 0, ...(options.ledgerExpected !== undefined && { expected: options.ledgerExpected }) });
    this.ledger.setPhaseSource((at) => this.timeline.phaseAt(at - this.#startedAt));
    this.#startedAt = options.startedAt ?? clock.now();
    const taken = new Set((spec.faults ?? []).flatMap((fault) => (fault.id === undefined ? [] : [fault.id])));
    this.#initial = (spec.faults ?? []).map((fault, index) => withId(fault, index, taken));
    if (options.paused !== true) for (const fault of this.#initial) this.#install(fault);
    this.tick();
    const tickMs = options.tickMs ?? 100;
    if (tickMs > 0) {
      this.#timer = setInterval(() => this.tick(), tickMs);
      this.#timer.unref();
    }
  }

  /** Epoch ms the timeline started (construction or the last reset()). */
  get startedAt(): number {
    return this.#startedAt;
  }

  /** Phase name now (or at `at`). */
  phase(at = this.#clock.now()): string {
    return this.timeline.phaseAt(at - this.#startedAt);
  }

  /** Which faults fire for this request; undefined (the common case) when none does. */
  decide(info: FaultRequestInfo): FaultDecision | undefined {
    this.metrics.request(info.provider);
    this.#lastAttempt = 0;
    if (this.#faults.length === 0) return undefined;
    const now = info.now ?? this.#clock.now();
    if (now >= this.#nextTransitionAt) this.tick(now);
    const candidates = this.#requestFaults.for(info.token);
    if (candidates.length === 0) return undefined;
    // Attempts are counted only for tokens some request fault could meet (one scheduled for later
    // included, so its dice and firstNPerToken count from the start): a mock whose faults never
    // concern this token pays no per-token bookkeeping (the map lookup of a fresh 64-character
    // string was most of an idle engine's cost under h2load).
    const attempt = info.attemptForToken ?? this.#countAttempt(info);
    this.#lastAttempt = attempt;
    const offset = now - this.#startedAt;
    let resolved: ResolvedRequest | undefined;
    let delayMs = 0;
    let action: FaultDecision['action'];
    let fired: FiredFault[] | undefined;
    let pending: PendingInjection | undefined;
    let tokenHash: number | undefined;
    for (const fault of candidates) {
      const { behaviour, spec } = fault;
      if (behaviour.onRequest === undefined) continue;
      if (offset < fault.window.startMs || offset >= fault.window.endMs) continue;
      if (action !== undefined && !fault.delayOnly) continue;
      if (spec.limit !== undefined && fault.injected + fault.pending >= spec.limit) continue;
      if (fault.match !== undefined && !fault.match(info)) continue;
      if (spec.firstNPerToken !== undefined && attempt > spec.firstNPerToken) continue;
      if (spec.everyNth !== undefined && ++fault.matched % spec.everyNth !== 0) continue;
      // The token is hashed once per request, not once per fault that rolls its dice.
      const tokenKey = info.token === undefined ? fault.sequence++ : mixKey((tokenHash ??= hashString(info.token)), attempt);
      const dice = this.#dice.rekey(mixKey(mixKey(seedKey(this.seed), fault.idKey), tokenKey));
      const probability = probabilityAt(fault.probability, fault.window, offset);
      if (probability < 1 && !(dice.next() < probability)) continue;
      resolved ??= { ...info, attemptForToken: attempt, now };
      const effect: FaultEffect | undefined = behaviour.onRequest(resolved, dice);
      if (effect === undefined) continue;
      // accept-then-fail is an injection only if the provider accepts (the host says so).
      if (effect.type === 'accept-then-fail') pending = this.#pending(fault);
      else this.#fired(fault);
      (fired ??= []).push({ id: fault.id, kind: spec.kind });
      if (effect.type === 'delay') delayMs += effect.ms;
      else action = effect;
    }
    if (fired === undefined) return undefined;
    return pending === undefined ? { delayMs, action, fired } : { delayMs, action, fired, pending };
  }

  /**
   * The per-stream hook: decide, then apply the decision on `stream` — or, when no fault fires,
   * just `proceed`. `proceed` gets the accept hook to call when the provider accepts (hooks.ts).
   * A latency fault's delay runs from `arrivedAt` (performance.now() at the request's arrival; default now).
   */
  handle(stream: ServerHttp2Stream, info: FaultRequestInfo, proceed: Proceed, arrivedAt?: number): void {
    const decision = this.decide(info);
    if (decision === undefined) proceed(recordingAccept(this, info));
    else applyFaultDecision(this, decision, stream, info, proceed, arrivedAt);
  }

  /** Connection faults (refuse, slow handshake) in front of `server`'s own connection handling. */
  interceptConnections(server: Server): () => void {
    return interceptConnections(server, this);
  }

  /** The attempt number the last decide() counted (0 when it counted none: no request fault could meet the token); for hot paths, instead of attemptFor(). */
  get lastAttempt(): number {
    return this.#lastAttempt;
  }

  /** The attempt number decide() last counted for this request's token (0 when it counted none: no request fault could meet the token). */
  attemptFor(info: FaultRequestInfo): number {
    if (info.token === undefined) return 0;
    return this.#attempts.get(info.provider === 'apns' ? info.token : `${info.provider}:${info.token}`)?.n ?? 0;
  }

  /**
   * Hook for a simulated connection (virtual time, simulator/virtual/session.ts): tracked under
   * `connectionId`, the id onConnection() gave its connect attempt, as a socket's is.
   */
  onSimulatedSession(session: FaultSession, connectionId: number, baseMaxConcurrentStreams: number): void {
    const tracked = this.#sessions.trackSimulated(session, connectionId, baseMaxConcurrentStreams);
    if (tracked !== undefined) this.#attachFaults(tracked);
  }

  /** Hook for every new HTTP/2 session (server 'session' event). Returns its connection id. */
  onSession(session: Http2Session, baseMaxConcurrentStreams = session.localSettings?.maxConcurrentStreams ?? 4_294_967_295): number {
    const tracked = this.#sessions.track(session, baseMaxConcurrentStreams);
    if (tracked === undefined) return this.#sessions.id(session) ?? 0;
    this.#attachFaults(tracked);
    return tracked.id;
  }

  /** Lets every installed fault watch a newly tracked session. */
  #attachFaults(tracked: TrackedSession): void {
    for (const fault of this.#faults) this.#attachSession(fault, tracked);
  }

  /**
   * For hosts that change their own SETTINGS_MAX_CONCURRENT_STREAMS on a live session (the APNs mock
   * raises it after the first valid provider token, protocols.md §1.9): call this instead of
   * session.settings(), so an active streams fault keeps its limit and restores this one when it ends.
   */
  setStreamLimit(session: Http2Session | FaultSession, maxConcurrentStreams: number): void {
    this.#sessions.setStreamLimit(session, maxConcurrentStreams);
  }

  /** Counts open streams per session from now on (metrics.streamsActive); off by default, as it costs every stream. */
  countStreams(): void {
    this.#sessions.countStreams();
  }

  /** The id onSession gave this session (for FaultRequestInfo.connectionId). */
  connectionId(session: Http2Session | FaultSession | undefined): number | undefined {
    return this.#sessions.id(session);
  }

  /**
   * Hook for every new TCP connection, before TLS / the HTTP/2 preface (see interceptConnections).
   * Gives the connection its id (a refused one uses up an id too); onSession reuses it.
   */
  onConnection(socket?: Socket): ConnectionVerdict {
    return this.#connectionVerdict(this.#sessions.accept(socket));
  }

  /** onConnection for a simulated connect attempt (virtual time): its id too, for onSimulatedSession. */
  onSimulatedConnection(): { readonly id: number; readonly verdict: ConnectionVerdict } {
    const id = this.#sessions.accept(undefined);
    return { id, verdict: this.#connectionVerdict(id) };
  }

  #connectionVerdict(connection: number): ConnectionVerdict {
    const now = this.#clock.now();
    for (const fault of this.#faults) {
      if (fault.behaviour.onConnection === undefined || !this.#isActive(fault, now) || !this.#selectsConnection(fault, connection, now)) continue;
      const verdict = fault.behaviour.onConnection(this.#dice);
      if (verdict !== undefined && verdict.type !== 'accept') {
        this.#fired(fault);
        return verdict;
      }
    }
    return { type: 'accept' };
  }

  /** Opens/closes schedule windows up to now (called on requests, by the timer, or by tests on fake time). */
  tick(now = this.#clock.now()): void {
    const offset = now - this.#startedAt;
    let next = Number.POSITIVE_INFINITY;
    for (const fault of this.#faults) {
      const active = this.#isActive(fault, now);
      if (active !== fault.active) {
        fault.active = active;
        if (active) fault.behaviour.onActivate?.(this.#runtime(fault));
        else fault.behaviour.onDeactivate?.(this.#runtime(fault));
      }
      if (offset < fault.window.startMs) next = Math.min(next, fault.window.startMs);
      else if (offset < fault.window.endMs) next = Math.min(next, fault.window.endMs);
    }
    this.#nextTransitionAt = this.#startedAt + next;
    if (this.#scheduler.virtual) this.#armTransition(now);
  }

  /**
   * On virtual time nothing polls: one timer at the next transition of a fault that acts when its
   * window opens or closes (streams, connection reset); the others are checked on each request.
   */
  #armTransition(now: number): void {
    if (this.#closed) return;
    const offset = now - this.#startedAt;
    let next = Number.POSITIVE_INFINITY;
    for (const fault of this.#faults) {
      if (fault.behaviour.onActivate === undefined && fault.behaviour.onDeactivate === undefined) continue;
      if (offset < fault.window.startMs) next = Math.min(next, fault.window.startMs);
      else if (offset < fault.window.endMs) next = Math.min(next, fault.window.endMs);
    }
    const at = this.#startedAt + next;
    if (this.#transitionTimer?.at === at) return;
    this.#transitionTimer?.cancel();
    this.#transitionTimer = undefined;
    if (next === Number.POSITIVE_INFINITY) return;
    const cancel = this.#scheduler.after(Math.max(0, at - now), () => {
      this.#transitionTimer = undefined;
      this.tick();
    });
    this.#transitionTimer = { at, cancel };
  }

  list(): FaultView[] {
    return this.#faults.map((fault) => ({ id: fault.id, kind: fault.spec.kind, active: fault.active, injected: fault.injected, spec: fault.spec }));
  }

  /** Adds a fault live; InvalidConfigError lists its problems. */
  add(spec: FaultSpec): FaultView {
    this.#check(spec, 'fault', spec.id !== undefined && this.#faults.some((f) => f.id === spec.id));
    const fault = this.#install(withId(spec, this.#faults.length, new Set(this.#faults.map((f) => f.id))));
    this.tick();
    return this.list().find((view) => view.id === fault.id) as FaultView;
  }

  /** Replaces a fault's spec (same id), resetting its counters. */
  replace(id: string, spec: FaultSpec): FaultView {
    const index = this.#faults.findIndex((fault) => fault.id === id);
    if (index < 0) throw new InvalidArgumentError(`no fault with id '${id}'`);
    const next = { ...spec, id };
    this.#check(next, `fault '${id}'`, false);
    this.remove(id);
    const fault = this.#install(next, index);
    this.tick();
    return this.list().find((view) => view.id === fault.id) as FaultView;
  }

  /** Removes a fault; false when there was none with that id. */
  remove(id: string): boolean {
    const fault = this.#faults.find((f) => f.id === id);
    if (fault === undefined) return false;
    if (fault.active) fault.behaviour.onDeactivate?.(this.#runtime(fault));
    fault.behaviour.dispose?.();
    this.#faults = this.#faults.filter((f) => f !== fault);
    this.#requestFaults = indexRequestFaults(this.#faults);
    return true;
  }

  /**
   * Back to the spec the engine was built with (also ending `paused`): timeline restarts now (or at
   * `startedAt`, epoch ms, to share one timeline between engines), counters, attempts and ledger cleared.
   */
  reset(startedAt?: number): void {
    for (const fault of [...this.#faults]) this.remove(fault.id);
    this.#attempts.clear();
    this.ledger.clear();
    this.metrics.clear();
    this.injections.clear();
    this.#startedAt = startedAt ?? this.#clock.now();
    for (const spec of this.#initial) this.#install(spec);
    this.tick();
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#transitionTimer?.cancel();
    this.#transitionTimer = undefined;
    for (const fault of this.#faults) fault.behaviour.dispose?.();
  }

  /** Internal: counts an injection (also used by apply and by kinds' runtimes). */
  #fired(fault: Fault): void {
    fault.injected++;
    this.metrics.fired(fault.id, fault.spec.kind);
    this.injections.count(this.#clock.now() - this.#startedAt);
  }

  /** An accept-then-fail chosen for a request: held against `limit` until settled, counted if delivered. */
  #pending(fault: Fault): PendingInjection {
    fault.pending++;
    let delivered = false;
    let settled = false;
    return {
      id: fault.id,
      kind: fault.spec.kind,
      delivered: () => {
        if (delivered) return;
        delivered = true;
        this.#fired(fault);
      },
      settled: () => {
        if (settled) return;
        settled = true;
        fault.pending--;
      },
    };
  }

  #check(spec: FaultSpec, what: string, idTaken: boolean): void {
    const problems = validateFault(spec, what, this.#phases);
    if (idTaken) problems.push(`${what}.id '${String(spec.id)}' is already in use`);
    if (problems.length > 0) throw new InvalidConfigError(what, problems);
  }

  #install(spec: FaultSpec, at = this.#faults.length): Fault {
    const fault = compileFault(spec, this.timeline);
    this.#faults.splice(at, 0, fault);
    this.#requestFaults = indexRequestFaults(this.#faults);
    for (const tracked of this.#sessions.all()) this.#attachSession(fault, tracked);
    return fault;
  }


  #attachSession(fault: Fault, tracked: TrackedSession): void {
    if (fault.behaviour.onSession && fault.spec.enabled !== false && this.#selectsConnection(fault, tracked.id, this.#clock.now())) {
      fault.behaviour.onSession(tracked, this.#runtime(fault));
    }
  }

  #isActive(fault: Fault, now: number): boolean {
    return isActive(fault, now - this.#startedAt);
  }


  #selectsConnection(fault: Fault, connectionId: number, now: number): boolean {
    return selectsConnection(fault, connectionId, now - this.#startedAt, this.seed, this.#dice);
  }


  #runtime(fault: Fault): FaultRuntime {
    return {
      now: () => this.#clock.now(),
      after: (ms, run) => this.#scheduler.after(ms, run, true),
      active: () => this.#isActive(fault, this.#clock.now()),
      sessions: () => [...this.#sessions.all()].filter((tracked) => this.#selectsConnection(fault, tracked.id, this.#clock.now())),
      fired: () => this.#fired(fault),
    };
  }

  #countAttempt(info: FaultRequestInfo): number {
    if (info.token === undefined) return 1;
    const key = info.provider === 'apns' ? info.token : `${info.provider}:${info.token}`;
    let counter = this.#attempts.get(key);
    if (counter === undefined) this.#attempts.set(key, (counter = { n: 0 }));
    return ++counter.n;
  }
}

/**
 * The faults decide() may have to walk for a request, built whenever the list changes: enabled
 * request-level faults in spec order, and the subset without an exact `match.tokens` list. A request
 * whose token no such list names can only meet that subset, so faults aimed at other tokens — the
 * usual way to keep a fault away from most traffic — cost the untargeted stream nothing.
 */
interface RequestFaults {
  for(token: string | undefined): readonly Fault[];
}

function indexRequestFaults(faults: readonly Fault[]): RequestFaults {
  const all = faults.filter((fault) => fault.behaviour.onRequest !== undefined && fault.spec.enabled !== false);
  const untargeted = all.filter((fault) => fault.spec.match?.tokens === undefined);
  const targeted = new Set(all.flatMap((fault) => fault.spec.match?.tokens ?? []));
  if (targeted.size === 0) return { for: () => all };
  return { for: (token) => (token !== undefined && targeted.has(token) ? all : untargeted) };
}
