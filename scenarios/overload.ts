/**
 * Did the run measure the target, or pushsim? An open-model load generator is only honest while it
 * keeps to its schedule (wrk2's point about coordinated omission): when pushsim itself falls
 * behind — its event loop saturated, its own in-flight limit full, its queue shedding — the
 * latency and throughput it reports are its own, not the target's.
 *
 *   OverloadMonitor ── samples while the measured run lasts ──► OverloadSamples
 *   ResultCollector ── send lag, generator lag, shed ──────────┐      │
 *                                                             ▼      ▼
 *                                                   judgeValidity(…) ──► result.validity
 *
 * Evidence (all on the sender's thread or process):
 *  - the event loop: `performance.eventLoopUtilization()` (share of time busy) and
 *    `monitorEventLoopDelay` (how late timers ran) over the measured run;
 *  - the process's CPU time (`process.cpuUsage`, all threads: in-process mocks included);
 *  - the pools every 50 ms: requests on the wire and waiting, against pushsim's own limit
 *    (`sender.maxInFlight`) and the target's (SETTINGS_MAX_CONCURRENT_STREAMS × connections).
 *
 * Which limit binds decides the blame: the lower of the two. Waiting for the target's own streams
 * is the target's capacity (Little's law: in flight = rate × latency), a valid measurement of it;
 * waiting for pushsim's lower limit, or a busy event loop, is pushsim's.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { EventLoopUtilization, IntervalHistogram } from 'node:perf_hooks';
import type { BottleneckKind, OverloadEvidence, Validity } from '../reports/result.js';
import type { TransportStats } from '../sender/transport.js';

/** The scenario's `validity` section. */
export interface ValidityConfig {
  /** p99 of the send lag (planned → on the wire) above which a run pushsim held back is not valid. @default 1000 */
  readonly maxSendLagMs?: number;
  /** Notifications pushsim may shed (queue full), in % of scheduled, before the run is not valid. @default 0 */
  readonly maxShedPercent?: number;
  /** Whether a run that is not valid fails (`pushsim run` exits 97). @default true */
  readonly failOnOverload?: boolean;
  /**
   * pushsim's own pauses (event-loop delay p99, sender and mock threads together), in % of the
   * accepted p99, at and above which a run is not valid — when they are also 50 ms or more
   * (scenarios/pauses.ts). @default 50
   */
  readonly maxPauseSharePercent?: number;
}

export const validityDefaults = { maxSendLagMs: 1000, maxShedPercent: 0, failOnOverload: true } as const;

export function validateValidity(config: ValidityConfig | undefined, path = 'validity'): string[] {
  if (config === undefined) return [];
  const problems: string[] = [];
  const { maxSendLagMs, maxShedPercent, failOnOverload, maxPauseSharePercent } = config;
  if (maxSendLagMs !== undefined && (typeof maxSendLagMs !== 'number' || !Number.isFinite(maxSendLagMs) || maxSendLagMs < 1 || maxSendLagMs > 3_600_000)) {
    problems.push(`${path}.maxSendLagMs must be a number of ms from 1 to 3600000, got ${JSON.stringify(maxSendLagMs)}`);
  }
  if (maxShedPercent !== undefined && (typeof maxShedPercent !== 'number' || !Number.isFinite(maxShedPercent) || maxShedPercent < 0 || maxShedPercent > 100)) {
    problems.push(`${path}.maxShedPercent must be a percentage from 0 to 100, got ${JSON.stringify(maxShedPercent)}`);
  }
  if (maxPauseSharePercent !== undefined && (typeof maxPauseSharePercent !== 'number' || !Number.isFinite(maxPauseSharePercent) || maxPauseSharePercent < 25 || maxPauseSharePercent > 1000)) {
    problems.push(`${path}.maxPauseSharePercent must be a percentage from 25 to 1000, got ${JSON.stringify(maxPauseSharePercent)}`);
  }
  if (failOnOverload !== undefined && typeof failOnOverload !== 'boolean') problems.push(`${path}.failOnOverload must be true or false, got ${JSON.stringify(failOnOverload)}`);
  return problems;
}

/** One sender's pool as the monitor samples it: its stats and pushsim's own in-flight limit. */
export interface SampledPool {
  stats(): TransportStats;
  readonly maxInFlight: number;
}

/** What the monitor saw over the measured run. */
export interface OverloadSamples {
  readonly elapsedMs: number;
  readonly eventLoop: OverloadEvidence['eventLoop'];
  readonly cpuPercent: number;
  readonly inFlight: OverloadEvidence['inFlight'];
}

/** A sender thread's event loop busier than this over the run was the bottleneck, whatever else was full. */
const saturatedLoop = 0.9;
/**
 * Process CPU (% of one core) above which a saturated loop was really running, not starved by a
 * busy machine (a starved process's loop counts as busy while it waits to be scheduled).
 */
const runningCpuPercent = 70;
const sampleMs = 50;

/**
 * Samples the sender's thread and pools from `start()` to `stop()`. Timers are unref'd; `stop()`
 * is idempotent.
 */
export class OverloadMonitor {
  readonly #pools: readonly SampledPool[];
  #delay: IntervalHistogram | undefined;
  #elu: EventLoopUtilization | undefined;
  #cpu: NodeJS.CpuUsage | undefined;
  #startedAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #samples = 0;
  #senderLimited = 0;
  #targetLimited = 0;
  #connecting = 0;
  #peak = 0;
  #peakQueued = 0;
  #targetLimit: number | null = null;
  #final: OverloadSamples | undefined;

  constructor(pools: readonly SampledPool[]) {
    this.#pools = pools;
  }

  start(): void {
    this.#startedAt = performance.now();
    this.#elu = performance.eventLoopUtilization();
    this.#cpu = process.cpuUsage();
    this.#delay = monitorEventLoopDelay({ resolution: 10 });
    this.#delay.enable();
    this.#timer = setInterval(() => this.sample(), sampleMs);
    this.#timer.unref();
  }

  /** Takes one sample of the pools now (also called by the timer). */
  sample(): void {
    let running = 0;
    let queued = 0;
    let capacity = 0;
    let senderLimited = false;
    let targetLimited = false;
    let connecting = false;
    for (const pool of this.#pools) {
      const s = pool.stats();
      running += s.running;
      queued += s.queued;
      capacity += s.capacity;
      // A full limit holds back what waits, or is shed when nothing may wait (maxQueue 0). The lower
      // limit binds: pushsim's only when it is below what the target allows.
      if (s.connected === 0) connecting ||= s.queued > 0;
      else if (s.running >= pool.maxInFlight && pool.maxInFlight < s.capacity) senderLimited = true;
      else if (s.running >= s.capacity) targetLimited = true;
    }
    this.#samples++;
    if (senderLimited) this.#senderLimited++;
    else if (targetLimited) this.#targetLimited++;
    else if (connecting) this.#connecting++;
    this.#peak = Math.max(this.#peak, running);
    this.#peakQueued = Math.max(this.#peakQueued, queued);
    if (capacity > 0) this.#targetLimit = capacity;
  }

  /** What was seen so far; after stop(), what was seen over the run. */
  snapshot(): OverloadSamples {
    if (this.#final !== undefined) return this.#final;
    const elapsedMs = performance.now() - this.#startedAt;
    const elu = this.#elu === undefined ? 0 : performance.eventLoopUtilization(this.#elu).utilization;
    const cpu = this.#cpu === undefined ? { user: 0, system: 0 } : process.cpuUsage(this.#cpu);
    const delay = this.#delay;
    // The histogram is in ns and holds nothing until the first 10 ms tick.
    const delayMs = (ns: number | undefined): number => (delay === undefined || delay.count === 0 || ns === undefined ? 0 : round(ns / 1e6));
    const percent = (n: number): number => (this.#samples === 0 ? 0 : Math.round((1000 * n) / this.#samples) / 10);
    return {
      elapsedMs,
      eventLoop: { utilization: round(Math.min(1, Math.max(0, elu))), delayP99Ms: delayMs(delay?.percentile(99)), delayMaxMs: delayMs(delay?.max) },
      cpuPercent: elapsedMs > 0 ? round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 100) : 0,
      inFlight: {
        senderLimit: this.#pools.reduce((sum, p) => sum + p.maxInFlight, 0),
        targetLimit: this.#targetLimit,
        peak: this.#peak,
        peakQueued: this.#peakQueued,
        senderLimitedPercent: percent(this.#senderLimited),
        targetLimitedPercent: percent(this.#targetLimited),
        connectingPercent: percent(this.#connecting),
      },
    };
  }

  stop(): OverloadSamples {
    if (this.#final !== undefined) return this.#final;
    clearInterval(this.#timer);
    if (this.#elu !== undefined) this.sample();
    const final = this.snapshot();
    this.#delay?.disable();
    this.#final = final;
    return final;
  }
}

/** A notification the generator handed over, until it goes on the wire or ends. */
export interface Unsent {
  readonly plannedAt: number;
  /** The sender's context: `sentAt` is set once it goes on the wire. */
  readonly context: { readonly sentAt?: number };
  ended: boolean;
}

/**
 * How late the schedule is right now, live: the oldest notification handed to the sender that has
 * neither gone on the wire nor ended. Notifications are planned, handed over and (FIFO queues) sent
 * in order, so the oldest is at the head; finished ones are dropped from it as it is read.
 */
export class ScheduleLag {
  #entries: (Unsent | undefined)[] = [];
  #head = 0;

  track(plannedAt: number, context: Unsent['context']): Unsent {
    const entry = { plannedAt, context, ended: false };
    this.#entries.push(entry);
    return entry;
  }

  /**
   * `entry` ended. What is done at the head is let go now rather than at the next `lateBy` (a
   * progress tick, a second away): entries then die young instead of surviving into V8's old
   * generation, which a second's worth of them at 10,000/s would.
   */
  end(entry: Unsent): void {
    entry.ended = true;
    this.#advance();
  }

  /** How many ms the oldest waiting notification is behind its plan at `now`; 0 when none waits. */
  lateBy(now: number): number {
    this.#advance();
    const oldest = this.#entries[this.#head];
    return oldest === undefined ? 0 : Math.max(0, now - oldest.plannedAt);
  }

  /** Drops the entries at the head that have gone on the wire or ended. */
  #advance(): void {
    const entries = this.#entries;
    let head = this.#head;
    while (head < entries.length) {
      const entry = entries[head] as Unsent;
      if (!entry.ended && entry.context.sentAt === undefined) break;
      entries[head] = undefined;
      head++;
    }
    if (head > 1024 && head * 2 > entries.length) {
      this.#entries = entries.slice(head);
      head = 0;
    }
    this.#head = head;
  }
}

/** What the verdict is made from: the monitor's samples and the collector's counts. */
export interface ValidityInputs extends OverloadSamples {
  readonly scheduled: number;
  /** Notifications pushsim shed (queue full). */
  readonly shed: number;
  readonly sendLagP99Ms: number | null;
  readonly fireLagP99Ms: number | null;
}

/**
 * The verdict, a pure function of what was measured: not valid when pushsim shed more than
 * `maxShedPercent` of the scheduled notifications, or when notifications left more than
 * `maxSendLagMs` late (p99) and pushsim — its event loop or its own in-flight limit — was what
 * held them back.
 */
export function judgeValidity(inputs: ValidityInputs, config: ValidityConfig = {}): Validity {
  const bounds = {
    maxSendLagMs: config.maxSendLagMs ?? validityDefaults.maxSendLagMs,
    maxShedPercent: config.maxShedPercent ?? validityDefaults.maxShedPercent,
  };
  const shedPercent = inputs.scheduled > 0 ? round((100 * inputs.shed) / inputs.scheduled) : 0;
  const evidence: OverloadEvidence = {
    sendLagP99Ms: inputs.sendLagP99Ms === null ? null : round(inputs.sendLagP99Ms),
    fireLagP99Ms: inputs.fireLagP99Ms === null ? null : round(inputs.fireLagP99Ms),
    shed: inputs.shed,
    shedPercent,
    eventLoop: inputs.eventLoop,
    cpuPercent: inputs.cpuPercent,
    inFlight: inputs.inFlight,
  };
  const lagging = inputs.sendLagP99Ms !== null && inputs.sendLagP99Ms > bounds.maxSendLagMs;
  const shedding = inputs.shed > 0 && shedPercent > bounds.maxShedPercent;
  const kind = bottleneckOf(inputs, bounds.maxSendLagMs, lagging || shedding);
  const reasons: string[] = [];
  const ours = kind === 'sender-cpu' || kind === 'sender-in-flight-limit';
  if (lagging && ours) {
    reasons.push(`notifications left up to ${seconds(inputs.sendLagP99Ms ?? 0)} late at p99 against their planned time (bound ${seconds(bounds.maxSendLagMs)}): pushsim could not keep to its schedule`);
  }
  if (shedding) {
    reasons.push(`pushsim shed ${inputs.shed} notification(s) itself (${shedPercent} % of scheduled, bound ${bounds.maxShedPercent} %): its queue was full (pushsim:queue-full)`);
  }
  return {
    valid: reasons.length === 0,
    failOnOverload: config.failOnOverload ?? validityDefaults.failOnOverload,
    bounds,
    reasons,
    ...(kind !== undefined && { bottleneck: { kind, summary: describeBottleneck(kind, evidence) } }),
    evidence,
  };
}

/**
 * What limited the sending, if anything did, strongest evidence first:
 *  1. pushsim's own in-flight limit, full most of the time (a setting: no doubt about it);
 *  2. the generator itself handing notifications over late (p99 above a quarter of the send-lag
 *     bound: its thread could not keep up);
 *  3. the target's limit, full most of the time — unless the sender's thread was saturated and
 *     really running (busy loop and CPU): then answers waited for the sender, not the target;
 *  4. whichever limit was full more often, a busy loop, the connection.
 * Undefined when nothing was off.
 */
export function bottleneckOf(inputs: ValidityInputs, maxSendLagMs: number, off: boolean): BottleneckKind | undefined {
  const { eventLoop, inFlight } = inputs;
  // The generator alone a quarter of the allowed lateness behind: its thread is not keeping up.
  const fireLagging = inputs.fireLagP99Ms !== null && inputs.fireLagP99Ms > maxSendLagMs / 4;
  const loopSaturated = eventLoop.utilization >= saturatedLoop;
  // The target's own limit is worth naming on a healthy run too when it was full often.
  const targetBusy = inFlight.targetLimitedPercent >= 10;
  if (!off && !targetBusy) return undefined;
  if (inFlight.senderLimitedPercent >= 50) return 'sender-in-flight-limit';
  if (off && fireLagging) return 'sender-cpu';
  if (inFlight.targetLimitedPercent >= 50) return off && loopSaturated && inputs.cpuPercent >= runningCpuPercent ? 'sender-cpu' : 'target-in-flight-limit';
  if (inFlight.senderLimitedPercent > 0 && inFlight.senderLimitedPercent >= inFlight.targetLimitedPercent) return 'sender-in-flight-limit';
  if (inFlight.targetLimitedPercent > 0) return 'target-in-flight-limit';
  if (inFlight.connectingPercent > 0) return 'connecting';
  // Shed with no limit seen full: the queue (sender.maxQueue) is pushsim's own limit too.
  if (inputs.shed > 0 && !loopSaturated) return 'sender-in-flight-limit';
  // Late without a full limit: the loop was busy, or stalled now and then (GC, a starved process).
  return 'sender-cpu';
}

function describeBottleneck(kind: BottleneckKind, e: OverloadEvidence): string {
  const loop = `event loop ${Math.round(e.eventLoop.utilization * 100)} % busy, delay p99 ${Math.round(e.eventLoop.delayP99Ms)} ms / max ${Math.round(e.eventLoop.delayMaxMs)} ms; process CPU ${Math.round(e.cpuPercent)} % of one core`;
  const target = e.inFlight.targetLimit === null ? 'unknown' : String(e.inFlight.targetLimit);
  switch (kind) {
    case 'sender-cpu':
      return `the sender: pushsim's own thread could not keep up (${loop}; generator late by ${Math.round(e.fireLagP99Ms ?? 0)} ms at p99)${starved(e) ? '; the process got little CPU: the machine is busy with other work' : ''}. Lower the rate, or split the load over processes (pushsim merge)`;
    case 'sender-in-flight-limit':
      return `pushsim's own in-flight limit: the ${e.inFlight.senderLimit} request(s) it allows on the wire (sender.maxInFlight) were in use in ${e.inFlight.senderLimitedPercent} % of samples, below the target's ${target} streams; up to ${e.inFlight.peakQueued} waited. Raise sender.maxInFlight (and sender.maxQueue) or lower the rate`;
    case 'target-in-flight-limit':
      return `the target's in-flight limit: every stream it allows (SETTINGS_MAX_CONCURRENT_STREAMS × connections = ${target}) was in use in ${e.inFlight.targetLimitedPercent} % of samples; up to ${e.inFlight.peakQueued} requests waited, and latency includes that wait. More connections (--connections) spread the load, if the target allows`;
    case 'connecting':
      return `the connection: requests waited for a connection to the target in ${e.inFlight.connectingPercent} % of samples`;
  }
}

function starved(e: OverloadEvidence): boolean {
  return e.eventLoop.utilization >= saturatedLoop && e.cpuPercent < runningCpuPercent / 2;
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
