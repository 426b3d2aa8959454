/**
 * The fault flags every `pushsim mock …` command takes: `--faults FILE [--fault-seed N]
 * [--control-port N] [--control-host H] [--ledger-records N]`, turned into the mocks' `faults`,
 * `faultSeed`, `control` and `ledgerRecords` options, and the lines that say what was loaded and
 * where the control API listens. A bad spec file fails the start with every problem listed
 * (InvalidConfigError, exit 104). The control API's bearer token comes from PUSHSIM_CONTROL_TOKEN,
 * never from a flag: a flag's value is visible to every user in `ps`.
 */
import type { Command } from 'commander';
import type { ListenFlags } from '../../core/system-errors.js';
import type { FaultEngine } from '../../simulator/faults/engine.js';
import type { MockFaultOptions } from '../../simulator/mock-faults.js';
import { InvalidConfigError } from '../../core/errors.js';
import { readTextFileSync } from '../../core/files.js';
import { fileLimits } from '../../core/limits.js';
import { replayFaults } from '../../scenarios/profile-target.js';
import { parseFaultsDocument } from '../../simulator/faults/spec-file.js';
import type { FaultsDocument } from '../../simulator/faults/spec.js';
import { loadProfileSync, profileProviders } from '../../simulator/profile.js';
import { nonNegativeInteger, port } from '../options.js';

export interface MockFaultFlags {
  readonly faults?: string;
  /** A profile to replay (docs/profiles.md): its latency and answers, as faults after --faults' own. */
  readonly profile?: string;
  readonly faultSeed?: number;
  readonly controlPort?: number;
  readonly controlHost?: string;
  readonly ledgerRecords?: number;
}

export function addMockFaultFlags(command: Command): Command {
  return command
    .option('--faults <file>', 'inject faults from this spec (YAML or JSON: seed, phases, faults; see simulator/faults/examples/)')
    .option('--profile <file>', 'answer like a recorded provider: the per-attempt latency and answer mix of a profile (pushsim run --record-profile; docs/profiles.md)')
    .option('--fault-seed <n>', 'seed of the fault dice (overrides the spec\'s)', nonNegativeInteger)
    .option('--control-port <n>', 'start the control API (live faults, /ledger, /metrics) on this port', port)
    .option('--control-host <address>', 'address of the control API; not loopback needs PUSHSIM_CONTROL_TOKEN', '127.0.0.1')
    .option('--ledger-records <n>', 'latest deliveries kept for the control API\'s /ledger/records (counts are always exact)', nonNegativeInteger);
}

/**
 * The mock options the flags ask for (the spec file is read and checked by the mock at start; with
 * --profile it is read here, to add the replay's faults after its own).
 */
export function mockFaultOptions(flags: MockFaultFlags): MockFaultOptions {
  const token = process.env['PUSHSIM_CONTROL_TOKEN'];
  const faults = flags.profile === undefined ? flags.faults : withReplay(flags.profile, flags.faults);
  return {
    ...(faults !== undefined && { faults }),
    ...(flags.faultSeed !== undefined && { faultSeed: flags.faultSeed }),
    ...(flags.ledgerRecords !== undefined && { ledgerRecords: flags.ledgerRecords }),
    ...(flags.controlPort !== undefined && {
      control: { port: flags.controlPort, host: flags.controlHost ?? '127.0.0.1', ...(token !== undefined && token !== '' && { token }) },
    }),
  };
}

/** The --faults spec (if any) with the faults replaying `profile` after its own; InvalidConfigError (exit 104) for a bad file. */
function withReplay(profile: string, faultsFile: string | undefined): FaultsDocument {
  loadProfileSync(profile);
  const replay = replayFaults(profile, profileProviders);
  if (faultsFile === undefined) return { faults: replay };
  const { text, problem } = readTextFileSync(faultsFile, fileLimits.faultSpec);
  if (problem !== undefined) throw new InvalidConfigError(faultsFile, [`the file ${problem}`]);
  const own = parseFaultsDocument(text, faultsFile);
  return { ...own, faults: [...(own.faults ?? []), ...replay] };
}

/** The addresses a mock command listens on, with their flags, to name them when listening fails. */
export function mockListenFlags(flags: MockFaultFlags & { readonly host: string; readonly port: number }): ListenFlags[] {
  return [
    { host: flags.host, port: flags.port },
    ...(flags.controlPort === undefined ? [] : [{ host: flags.controlHost ?? '127.0.0.1', port: flags.controlPort, hostFlag: '--control-host', portFlag: '--control-port' }]),
  ];
}

/** What to print about faults and the control API; nothing when neither is on. Never the token. */
export function describeMockFaults(mock: { readonly faults: Pick<FaultEngine, 'list' | 'seed'> | undefined; readonly controlUrl: string | undefined }, flags: MockFaultFlags): string[] {
  const lines: string[] = [];
  if (mock.faults !== undefined && flags.faults !== undefined) {
    const count = mock.faults.list().filter((fault) => !fault.id.startsWith('profile-')).length;
    lines.push(`faults: ${count} loaded from ${flags.faults}, seed ${mock.faults.seed}`);
  }
  if (flags.profile !== undefined) {
    lines.push(`profile: replaying the latency and answers of ${Object.keys(loadProfileSync(flags.profile).providers).join(', ')} from ${flags.profile}`);
  }
  if (mock.controlUrl !== undefined) {
    const token = process.env['PUSHSIM_CONTROL_TOKEN'];
    lines.push(`control API on ${mock.controlUrl} (faults, /ledger, /metrics)${token ? ', bearer token from PUSHSIM_CONTROL_TOKEN' : ''}`);
  }
  return lines;
}
