/**
 * The fault framework of a simulated mock: the mock's own options (`faults`, `faultSeed`,
 * `faultsPaused`, `ledger…`) build the same FaultEngine the socket mock builds (mock-faults.ts),
 * on the scheduler's clock and without its real-time tick: the engine opens and closes schedule
 * windows itself whenever a request arrives past the next transition, which on a virtual clock is
 * the only time that matters.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import type { Scheduler } from '../../core/scheduler.js';
import { FaultEngine } from '../faults/engine.js';
import { checkMockFaultOptions, mockEngineOptions, mockLedger, type MockFaultOptions } from '../mock-faults.js';
import type { DeliveryLedger } from '../ledger/ledger.js';

export interface VirtualFaults {
  readonly engine: FaultEngine | undefined;
  readonly ledger: DeliveryLedger;
  /** Stops the engine when it was built here. */
  close(): void;
}

/** Builds the engine and ledger the options ask for. A spec file path must be loaded first (loadFaultsFile): nothing here waits for I/O. */
export function createVirtualFaults(options: MockFaultOptions, scheduler: Scheduler): VirtualFaults {
  checkMockFaultOptions(options);
  if (options.control !== undefined) throw new InvalidArgumentError('control: a simulated mock has no control API (nothing listens on a socket); drop the control option');
  const { faults } = options;
  if (typeof faults === 'string') throw new InvalidArgumentError(`faults: a simulated mock takes the fault spec itself, not the path '${faults}'; load it with loadFaultsFile() first`);
  if (faults instanceof FaultEngine) return { engine: faults, ledger: faults.ledger, close: () => {} };
  if (faults === undefined) return { engine: undefined, ledger: mockLedger(options, scheduler), close: () => {} };
  const engine = new FaultEngine({ ...mockEngineOptions(options, scheduler, faults), scheduler, tickMs: 0 });
  return { engine, ledger: engine.ledger, close: () => engine.close() };
}
