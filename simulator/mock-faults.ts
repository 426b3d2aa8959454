/**
 * The fault framework as a mock hosts it: the `faults`, `faultSeed`, `ledgerRecords` and `control`
 * options shared by startMockApns, startMockFcm and startMockWebPush, and what they build:
 *
 *   faults (spec | YAML/JSON path | engine) ─► FaultEngine ─► its ledger, its control API (optional)
 *   no faults, no control                  ─► no engine, a bare DeliveryLedger (counts only)
 *
 * Without an engine the mock's hot path never calls into the framework: it only records each
 * accepted notification in the ledger (exact counts and duplicates, no per-delivery records unless
 * `ledgerRecords` asks for them; the kept records are what costs GC).
 */
import type { Clock } from '../core/clock.js';
import { InvalidArgumentError, InvalidConfigError } from '../core/errors.js';
import { isLoopback, startControlServer } from './control/server.js';
import type { ControlServer } from './control/server.js';
import { FaultEngine, type FaultEngineOptions } from './faults/engine.js';
import { loadFaultsFile } from './faults/spec-file.js';
import type { FaultsDocument } from './faults/spec.js';
import { validateFaultsDocument } from './faults/spec.js';
import { DeliveryLedger, expectedTrafficProblems, type ExpectedTraffic } from './ledger/ledger.js';
import { pushAll } from '../core/arrays.js';

/** A fault spec, the path of a YAML/JSON spec file, or an engine you built (and keep: the mock does not close it). */
export type MockFaultsOption = FaultsDocument | string | FaultEngine;

export interface MockControlOption {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default '127.0.0.1'; any other address needs `token` */
  readonly host?: string;
  /** Bearer token of at least 16 characters, required off loopback. A secret: never logged. */
  readonly token?: string;
}

export interface MockFaultOptions {
  /** Faults injected by the mock itself (simulator/faults/). @default none */
  readonly faults?: MockFaultsOption;
  /** Seed of the fault dice, overriding the spec's `seed` (not with an engine). @default spec.seed ?? 1 */
  readonly faultSeed?: number;
  /** Latest deliveries kept for `ledger.records()`; counts are exact regardless (not with an engine). @default 0 */
  readonly ledgerRecords?: number;
  /**
   * The traffic a load test will send (rate, and count when it ends): the delivery ledger sizes its
   * duplicate-detection tables for it at the start, so a soak's memory is flat from the first
   * minute (not with an engine). @default none: the tables grow with what arrives
   */
  readonly ledgerExpected?: ExpectedTraffic;
  /** Start the control API (live faults, /ledger, /metrics) next to the mock; builds an empty engine when `faults` is absent. */
  readonly control?: MockControlOption;
  /**
   * Build the engine with none of its faults installed until `faults.reset()` (a worker mock:
   * resetFaults()), which also starts the timeline and clears the ledger: warm up healthy, then
   * start the faults with the measured run (not with an engine). @default false
   */
  readonly faultsPaused?: boolean;
  /**
   * Record accepted notifications in this ledger instead of one of the mock's own (not with an
   * engine: give it to your FaultEngine): the workers of one mock (simulator/cluster/) forward theirs
   * to the primary this way. @default a new DeliveryLedger
   */
  readonly ledger?: DeliveryLedger;
}

export const mockFaultOptionNames: readonly string[] = ['faults', 'faultSeed', 'ledgerRecords', 'ledgerExpected', 'control', 'faultsPaused', 'ledger'];

/** The options above, out of a mock's whole options object. */
export function pickMockFaultOptions(options: MockFaultOptions): MockFaultOptions {
  const { faults, faultSeed, ledgerRecords, ledgerExpected, control, faultsPaused, ledger } = options;
  return { faults, faultSeed, ledgerRecords, ledgerExpected, control, faultsPaused, ledger } as MockFaultOptions;
}

/** Synchronous checks of the options above, every problem at once: InvalidConfigError for the spec, InvalidArgumentError otherwise. */
export function checkMockFaultOptions(options: MockFaultOptions): void {
  const problems: string[] = [];
  const { faults, faultSeed, ledgerRecords, ledgerExpected, control, faultsPaused, ledger } = options;
  const engine = faults instanceof FaultEngine;
  if (faults !== undefined && !engine && typeof faults !== 'string' && (typeof faults !== 'object' || faults === null || Array.isArray(faults))) {
    problems.push('faults must be a fault spec object ({ seed?, phases?, faults }), the path of a YAML/JSON spec file, or a FaultEngine');
  }
  if (faults === '') problems.push('faults must not be an empty path');
  if (faultSeed !== undefined && (typeof faultSeed !== 'number' || !Number.isSafeInteger(faultSeed) || faultSeed < 0)) problems.push(`faultSeed must be an integer >= 0, got ${String(faultSeed)}`);
  if (ledgerRecords !== undefined && (typeof ledgerRecords !== 'number' || !Number.isSafeInteger(ledgerRecords) || ledgerRecords < 0)) problems.push(`ledgerRecords must be an integer >= 0, got ${String(ledgerRecords)}`);
  if (engine && faultSeed !== undefined) problems.push('faultSeed applies to a spec the mock builds an engine from; give the seed to your FaultEngine instead');
  if (faultsPaused !== undefined && typeof faultsPaused !== 'boolean') problems.push(`faultsPaused must be true or false, got ${String(faultsPaused)}`);
  if (engine && faultsPaused !== undefined) problems.push('faultsPaused applies to an engine the mock builds; give paused: true to your FaultEngine instead');
  if (engine && ledgerRecords !== undefined) problems.push('ledgerRecords applies to an engine the mock builds; give ledgerRecords to your FaultEngine instead');
  pushAll(problems, expectedTrafficProblems('ledgerExpected', ledgerExpected));
  if (engine && ledgerExpected !== undefined) problems.push('ledgerExpected applies to an engine the mock builds; give ledgerExpected to your FaultEngine instead');
  if (ledger !== undefined && !(ledger instanceof DeliveryLedger)) problems.push('ledger must be a DeliveryLedger');
  if (engine && ledger !== undefined) problems.push('ledger applies to a mock without an engine of yours; give ledger to your FaultEngine instead');
  if (ledger !== undefined && ledgerExpected !== undefined) problems.push('ledgerExpected sizes a ledger the mock builds; size your own ledger with its expected option instead');
  pushAll(problems, controlProblems(control));
  if (problems.length > 0) throw new InvalidArgumentError(problems.join('; '));
  if (typeof faults === 'object' && faults !== null && !engine) {
    const specProblems = validateFaultsDocument(faults);
    if (specProblems.length > 0) throw new InvalidConfigError('the faults option', specProblems);
  }
}

function controlProblems(control: MockControlOption | undefined): string[] {
  if (control === undefined) return [];
  if (typeof control !== 'object' || control === null) return ['control must be an object { port?, host?, token? }'];
  const problems: string[] = [];
  for (const key of Object.keys(control)) if (!['port', 'host', 'token'].includes(key)) problems.push(`control.${key} is not an option (port, host, token)`);
  const { port, host, token } = control;
  if (port !== undefined && (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65_535)) problems.push(`control.port must be an integer from 0 to 65535, got ${String(port)}`);
  if (host !== undefined && (typeof host !== 'string' || host === '')) problems.push('control.host must be a non-empty string');
  // The token's value is a secret: say what is wrong with it, never what it is.
  if (token !== undefined && (typeof token !== 'string' || token.length < 16)) problems.push('control.token must be a string of at least 16 characters');
  if (typeof host === 'string' && host !== '' && !isLoopback(host) && token === undefined) problems.push(`control on ${host} (not loopback) needs a token`);
  return problems;
}

/** What a mock holds: its engine (if any), its ledger, and the control API it may start. */
export interface MockFaults {
  readonly engine: FaultEngine | undefined;
  /** The engine's ledger, or a bare one when there is no engine. */
  readonly ledger: DeliveryLedger;
  /**
   * Starts the control API when the `control` option asked for one; resolves with its URL. Call it
   * once the mock listens: when it cannot start, `closeMock` stops the mock before the error is thrown.
   */
  startControl(closeMock: () => Promise<unknown>): Promise<string | undefined>;
  /** Stops the control API and the engine (unless the caller built it). */
  close(): Promise<void>;
}

/**
 * How every mock starts: builds its fault framework, hands it to `start`, and closes it again when
 * the mock fails to start, so nothing (engine timer, control API) is left behind.
 */
export async function startWithMockFaults<T>(options: MockFaultOptions, clock: Clock, start: (faults: MockFaults) => Promise<T>): Promise<T> {
  const faults = await createMockFaults(options, clock);
  try {
    return await start(faults);
  } catch (error) {
    await faults.close();
    throw error;
  }
}

/** Builds what the options ask for; `checkMockFaultOptions` must have passed. Reads a spec file (InvalidConfigError naming it). */
export async function createMockFaults(options: MockFaultOptions, clock: Clock): Promise<MockFaults> {
  const { faults, control } = options;
  let engine: FaultEngine | undefined;
  let owned = false;
  if (faults instanceof FaultEngine) engine = faults;
  else if (faults !== undefined || control !== undefined) {
    const spec = typeof faults === 'string' ? await loadFaultsFile(faults) : faults;
    engine = new FaultEngine({ ...mockEngineOptions(options, clock, spec), ...(typeof faults === 'string' && { source: faults }) });
    owned = true;
  }
  const ledger = engine?.ledger ?? mockLedger(options, clock);
  let server: ControlServer | undefined;
  let closing: Promise<void> | undefined;
  return {
    engine,
    ledger,
    async startControl(closeMock) {
      if (control === undefined || engine === undefined) return undefined;
      try {
        server = await startControlServer({ engine, ...control });
      } catch (error) {
        await closeMock();
        throw error;
      }
      return server.url;
    },
    close() {
      closing ??= (async () => {
        await server?.close();
        if (owned) engine?.close();
      })();
      return closing;
    },
  };
}

/** What a mock's own FaultEngine is built with, from its options and the (loaded) spec. */
export function mockEngineOptions(options: MockFaultOptions, clock: Clock, spec: FaultsDocument | undefined): FaultEngineOptions {
  return {
    clock,
    ledgerRecords: options.ledgerRecords ?? 0,
    ...(options.ledgerExpected !== undefined && { ledgerExpected: options.ledgerExpected }),
    ...(spec !== undefined && { spec }),
    ...(options.faultSeed !== undefined && { seed: options.faultSeed }),
    ...(options.faultsPaused === true && { paused: true }),
    ...(options.ledger !== undefined && { ledger: options.ledger }),
  };
}

/** The ledger of a mock without an engine: the one given, or a bare one on `clock`. */
export function mockLedger(options: MockFaultOptions, clock: Clock): DeliveryLedger {
  return options.ledger ?? new DeliveryLedger({ clock, maxRecords: options.ledgerRecords ?? 0, ...(options.ledgerExpected !== undefined && { expected: options.ledgerExpected }) });
}
