/**
 * What `pushsim run` does once its flags are parsed: loaded only when the command runs, so that
 * `pushsim --version`, `report` and the other commands do not pay for the runner, the mocks and the
 * senders at start-up (cli/commands/run.ts holds the command's definition).
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { InvalidArgumentError, InvalidConfigError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { checkInvariant } from '../../reports/result.js';
import type { Result } from '../../reports/result.js';
import { ProfileRecorder, writeProfile } from '../../reports/profile.js';
import { RoundTripProbe } from '../../reports/profile-probe.js';
import { builtinScenarios } from '../../scenarios/builtin/index.js';
import { validateScenario } from '../../scenarios/config.js';
import type { ScenarioConfig } from '../../scenarios/config.js';
import { plannedCount } from '../../scenarios/executors/index.js';
import type { ClosedModelConfig } from '../../scenarios/executors/index.js';
import { ScenarioRun } from '../../scenarios/runner.js';
import { loadScenarioFile } from '../../scenarios/file.js';
import { resolveShard, resolveStartAt } from '../../scenarios/shard.js';
import { loadFaultsFile } from '../../simulator/faults/spec-file.js';
import type { FaultsDocument } from '../../simulator/faults/spec.js';
import { reportFiles } from './report.js';
import { attachProgress } from '../progress.js';
import { serveRunMetrics } from '../run-metrics.js';
import type { MetricsFlags } from '../run-metrics.js';
import type { DashboardFlags } from '../dashboard-flags.js';
import { prepareOutputDir } from '../output.js';
import { outputResult } from './result-output.js';
import { executeStoppable } from './signal-stop.js';
import { safetyCeilings, withTargetFlags } from '../run-targets.js';
import { limitHeapGrowth, runHeapGrowingPercent } from '../heap-growth.js';
import { isRealTarget } from '../../scenarios/safety.js';
import type { RealTargetFlags } from '../run-targets.js';

export interface RunFlags extends MetricsFlags, RealTargetFlags {
  out: string;
  rate?: number;
  count?: number;
  warmup?: number;
  inFlight?: number;
  connections?: number;
  tls?: boolean;
  inProcess?: boolean;
  json?: boolean;
  quiet?: boolean;
  /** false with --no-fail-on-overload. */
  failOnOverload?: boolean;
  faults?: string;
  report?: (keyof typeof reportFiles)[];
  shard?: string;
  shards?: number;
  startAt?: string;
  workers?: number | 'auto';
  dashboard?: DashboardFlags['dashboard'];
  dashboardLinger?: boolean;
  recordProfile?: string;
  recipients?: string;
}

/** Runs scenario `name` with the command line's flags; the exit code goes to `setExitCode`. */
export async function runAction(name: string, flags: RunFlags, setExitCode: (code: number) => void): Promise<void> {
  const shard = resolveShard(flags, process.env);
  const startAt = resolveStartAt(flags.startAt, process.env);
  const config = await scenarioWithFlags(name, flags);
  const safety = safetyCeilings(flags, process.env);
  // Short, regular collections in the embedded mocks; against real providers the sender's heap, not garbage, is the run's RSS (cli/heap-growth.ts).
  limitHeapGrowth(runHeapGrowingPercent(config.target.kind === 'mock' ? 'mocks' : isRealTarget(config.target) ? 'real' : 'other', process.env));
  await prepareOutputDir(flags.out, '--out');
  const recorder = flags.recordProfile === undefined ? undefined : await profileRecorder(flags.recordProfile, flags.workers);
  const abort = new AbortController();
  const run = new ScenarioRun(config, {
    signal: abort.signal,
    ...(shard !== undefined && { shard }),
    ...(startAt !== undefined && { startAt }),
    workers: recorder === undefined ? (flags.workers ?? 'auto') : 1,
    metrics: flags.metricsPort !== undefined,
    acceptedLatency: flags.dashboard !== undefined || flags.dashboardLinger === true,
    ...(recorder !== undefined && { onAnswer: (provider, answer, wireMs) => recorder.record(provider, answer, wireMs) }),
    safety,
  });
  const display = attachProgress(run, { quiet: flags.quiet === true });
  const metrics = await serveRunMetrics(run, flags);
  if (flags.dashboard !== undefined || flags.dashboardLinger === true) await (await import('../dashboard.js')).attachDashboard(run, flags);
  // First signal: stop firing, a short grace for what is on the wire, then the partial result.
  let result: Result;
  try {
    result = await executeStoppable(abort, () => run.execute(), {
      stopping: (signal) => display.note(`pushsim: ${signal}: stopping; requests on the wire get up to 2 s, then the partial result is written (${signal} again exits at once)`),
      leaving: () => display.close(),
    });
  } finally {
    await recorder?.closeProbe();
    display.close();
  }
  // With the version that wrote it, for the report's configuration and a later comparison.
  result = await outputResult(result, flags, reportFiles);
  if (recorder !== undefined && flags.recordProfile !== undefined) await saveProfile(recorder, flags.recordProfile, result);
  setExitCode(exitCodeOf(result));
  // Stopped by a signal: end now (a linger would outlast Kubernetes' grace period and be killed).
  await metrics?.finish({ linger: result.interrupted === undefined });
}

/** The recorder for --record-profile FILE, once FILE's directory is known to exist: a typo is found before the run, not after. */
async function profileRecorder(file: string, workers: RunFlags['workers']): Promise<ProfileRecorder> {
  if (typeof workers === 'number' && workers > 1) throw new InvalidArgumentError(`--record-profile records every answer in the sending thread: drop --workers ${workers} (or use --workers 1)`);
  if (file.trim() === '') throw new InvalidArgumentError('--record-profile needs the path of the profile file to write, such as apns.profile.json');
  if ((await stat(file).catch(() => undefined))?.isDirectory() === true) throw new InvalidArgumentError(`--record-profile ${file} is a directory; give the path of the profile file to write, such as ${join(file, 'apns.profile.json')}`);
  const dir = dirname(resolve(file));
  const stats = await stat(dir).catch(() => undefined);
  if (stats === undefined || !stats.isDirectory()) throw new InvalidArgumentError(`--record-profile ${file}: the directory ${dir} does not exist; create it or give another path`);
  // The profile is written beside itself and renamed over: the directory must take new files.
  if (!(await access(dir, constants.W_OK).then(() => true, () => false))) throw new InvalidArgumentError(`--record-profile ${file}: the directory ${dir} cannot be written (permission denied); give a path in a directory you can write`);
  // This machine's own round trip, probed during the run and taken off the recorded wire times (docs/profiles.md).
  return new ProfileRecorder({ roundTrip: await RoundTripProbe.start() });
}

/** Writes the recorded profile; nothing answered means nothing to replay, and says so. */
async function saveProfile(recorder: ProfileRecorder, file: string, result: Result): Promise<void> {
  try {
    if (recorder.answered() === 0) {
      process.stderr.write(`pushsim: no attempt was answered, so no profile was written to ${file}\n`);
      return;
    }
    const target = result.target ?? (result.targets === undefined ? undefined : Object.entries(result.targets).map(([p, url]) => `${p} ${url}`).join(' · '));
    await writeProfile(recorder.profile(new Date(), { scenario: result.scenario, target, pushsim: result.pushsim }), file);
    process.stderr.write(`pushsim: profile of ${recorder.answered()} answered attempt(s) written to ${resolve(file)}\n`);
  } finally {
    recorder.destroy();
  }
}

/** A built-in name, or a path to a YAML/JSON scenario file. */
export async function resolveScenario(name: string): Promise<ScenarioConfig> {
  const scenario = builtinScenarios[name];
  if (scenario) return scenario;
  if (/\.(ya?ml|json)$/i.test(name) || name.includes('/')) return loadScenarioFile(name);
  throw new InvalidConfigError(`scenario "${name}"`, [`there is no built-in scenario named "${name}"; choose one of: ${Object.keys(builtinScenarios).join(', ')}, or give a path to a .yaml or .json scenario file`]);
}

/**
 * Scenario `name` (a built-in or a file) with the command line's flags and its --faults file: what
 * run, simulate and tune each send. A relative --recipients is a path from the working directory,
 * named in the result relative to the scenario file (a built-in has none).
 */
export async function scenarioWithFlags(name: string, flags: RunFlags): Promise<ScenarioConfig> {
  const faults = flags.faults === undefined ? undefined : await loadFaultsFile(flags.faults);
  return applyOverrides(await resolveScenario(name), flags, faults, builtinScenarios[name] === undefined ? name : undefined);
}

/** `scenarioFile`: the scenario's path (not a built-in's name), which `--recipients` is named relative to in the result. */
export function applyOverrides(scenario: ScenarioConfig, flags: RunFlags, faults: FaultsDocument | undefined, scenarioFile?: string): ScenarioConfig {
  const base = withTargetFlags(scenario, flags);
  const target = base.target.kind === 'mock' ? { ...base.target, ...(flags.tls && { tls: true }), ...(flags.inProcess && { worker: false }) } : base.target;
  let { load } = base;
  if (flags.inFlight !== undefined || load.executor === 'closed') {
    if (flags.rate !== undefined) throw new InvalidArgumentError('--rate sets an arrival rate, which the closed model (--in-flight, or a scenario with executor: closed) does not have: drop one of them');
    const count = flags.count ?? plannedCount(load);
    const durationMs = load.executor === 'closed' ? load.durationMs : undefined;
    const inFlight = flags.inFlight ?? (load as ClosedModelConfig).inFlight;
    load = { executor: 'closed', inFlight, ...(count !== undefined && { count }), ...(durationMs !== undefined && { durationMs }) };
  } else if (load.executor === 'constant-arrival-rate') {
    load = { ...load, ...(flags.rate !== undefined && { rate: flags.rate }), ...(flags.count !== undefined && { count: flags.count }) };
  } else if (flags.rate !== undefined || flags.count !== undefined) {
    throw new InvalidArgumentError(`--rate and --count set a constant arrival rate; scenario "${base.name}" ramps (load.stages): change its stages instead`);
  }
  const config = {
    ...base,
    target,
    load,
    sender: { ...base.sender, ...(flags.connections !== undefined && { connections: flags.connections }) },
    ...(flags.failOnOverload === false && { validity: { ...base.validity, failOnOverload: false } }),
    ...(faults !== undefined && { faults }),
    ...(flags.warmup !== undefined && { warmup: flags.warmup }),
    ...(flags.recipients !== undefined && { recipients: { file: resolve(flags.recipients), name: scenarioFile === undefined ? flags.recipients : relative(dirname(resolve(scenarioFile)), resolve(flags.recipients)) } }),
  };
  // The scenario was valid before the flags; what is wrong now (a rate so low the run never ends) is theirs.
  const problems = validateScenario(config);
  if (problems.length > 0) throw new InvalidArgumentError(`with the flags given, scenario "${base.name}" ${problems.length === 1 ? 'has a problem' : 'has problems'}: ${problems.join('; ')}`);
  return config;
}

/**
 * The exit code of a finished run, most fundamental first: a broken count is a bug (1); an
 * interrupted run is partial (130 / 143); a recipients file lost mid-run is an input that could not be
 * used (104); an unreachable target measured nothing (4); an overloaded
 * run measured pushsim rather than the target (97: also when pushsim shed everything, so nothing got
 * an answer), so its thresholds say nothing either; a target that answered nothing (4); then the
 * thresholds (99).
 */
export function exitCodeOf(result: Result): number {
  if (checkInvariant(result) !== undefined) return ExitCode.internal;
  if (result.interrupted !== undefined) return result.interrupted.signal === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted;
  // An input file that could not be used, as before the run (104): the user's to fix, whatever was measured.
  if (result.recipientsLost !== undefined) return ExitCode.invalidConfig;
  if (result.unreachable !== undefined) return ExitCode.targetUnreachable;
  if (result.validity !== undefined && !result.validity.valid && result.validity.failOnOverload) return ExitCode.overload;
  const { counts } = result;
  if (counts.scheduled > 0 && counts.accepted + counts.rejected === 0) return ExitCode.targetUnreachable;
  if (result.thresholds?.some((t) => !t.passed)) return ExitCode.thresholdsFailed;
  return ExitCode.ok;
}
