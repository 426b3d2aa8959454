/**
 * `pushsim run [scenario]`: the command's definition. What it does is in run-action.ts, imported
 * when the command runs: start-up stays small for every other command.
 */
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { builtinScenarios } from '../../scenarios/builtin/index.js';
import { dashboardPort, defaultDashboardPort } from '../dashboard-flags.js';
import { nonNegativeInteger, nonNegativeNumber, port, positiveInteger, positiveNumber } from '../options.js';
import { reportFiles, runReportFormats } from './report.js';
import type { RunFlags } from './run-action.js';

export function registerRun(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('run')
    .description('run a scenario (default: the built-in "default" scenario against the embedded mock APNs; "mixed" sends to mock APNs, FCM and Web Push)')
    .argument('[scenario]', `built-in scenario name (${Object.keys(builtinScenarios).join(', ')}) or path to a .yaml/.json scenario file`, 'default')
    .option('--out <dir>', 'directory for result.json', 'pushsim-report')
    .option('--rate <n>', 'override the arrival rate (notifications per second)', positiveNumber)
    .option('--count <n>', 'override how many notifications to send', positiveInteger)
    .option('--in-flight <n>', 'closed model: keep n notifications in flight, each sent when one is answered (maximum throughput; latency NOT corrected for coordinated omission)', positiveInteger)
    .option('--connections <n>', 'override the number of HTTP/2 connections (per provider)', positiveInteger)
    .option('--warmup <n>', 'override how many unmeasured notifications warm up the run first (0: none)', nonNegativeInteger)
    .option('--tls', 'run the embedded mocks over TLS (generated certificates) instead of h2c')
    .option('--in-process', 'run the embedded mock APNs in this thread instead of a worker thread (FCM and Web Push mocks always run in-process)')
    .option('--faults <file>', "inject the faults of this spec file (YAML/JSON; see simulator/faults/examples/) into the embedded mocks, replacing the scenario's own")
    .option('--report <formats>', `also write these next to result.json: ${Object.entries(reportFiles).map(([f, file]) => `${f} (${file})`).join(', ')}; e.g. --report junit,html`, runReportFormats)
    .option('--json', 'print result.json to stdout instead of the text summary')
    .option('--quiet', 'no progress lines on stderr')
    .option('--no-fail-on-overload', 'report a run that is not a valid measurement (pushsim fell behind) without exiting 97, as validity.failOnOverload: false does in a scenario')
    .option('--shard <I/N>', 'run shard I of N (from 0: 0/3, 1/3, 2/3): every Nth notification at its planned time; `pushsim merge` of the N results is the whole run (docs/shards.md)')
    .option('--shards <n>', 'the number of shards, with the index from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job); env PUSHSIM_SHARDS', positiveInteger)
    .option('--start-at <time>', 'start the measured run at this time (ISO 8601 with zone, or epoch ms), after getting ready: shards started apart run on one clock; env PUSHSIM_START_AT')
    .option('--recipients <file>', "send to the recipients of this CSV / NDJSON / JSON file (by extension; streamed, every row checked first) instead of generated tokens, replacing the scenario's own (docs/scenarios.md#recipients)")
    .option('--workers <n>', 'send from n worker threads, each running one shard of the scenario with its own connections, all starting together; results merged exactly (default: auto, one per core left by the embedded mock, as the rate needs; docs/workers.md)', workersCount)
    .option('--metrics-port <port>', 'serve the run\'s Prometheus metrics at http://<metrics-host>:<port>/metrics while it runs (0 picks a free port, printed on stderr; docs/metrics.md)', port)
    .option('--metrics-host <address>', 'address the --metrics-port server binds (default: 127.0.0.1)')
    .option('--metrics-linger <seconds>', 'after the run, keep serving the final metrics until one scrape reads them or this many seconds pass (at most 3600; default: 0)', nonNegativeNumber)
    .option('--dashboard [port]', `serve a live dashboard on 127.0.0.1 while the run goes, its HTML report at the end (port ${defaultDashboardPort} unless --dashboard=PORT; 0 picks a free one; docs/dashboard.md)`, dashboardPort)
    .option('--dashboard-linger', 'keep serving the dashboard and the report after the run, until Ctrl-C (implies --dashboard)')
    .option('--record-profile <file>', "write a profile of what each provider did (per-attempt latency as an HDR histogram, the mix of answers) to this file, for a mock to replay with target.profile (docs/profiles.md); the run sends from one thread")
    .option('--apns [host]', 'send to APNs for real: sandbox (the default), production or a URL; credentials from the scenario or $APNS_KEY_FILE, $APNS_KEY_ID, $APNS_TEAM_ID (or $APNS_CERT_FILE) (docs/targets.md)')
    .option('--fcm [url]', 'send to FCM for real (default https://fcm.googleapis.com); service account from the scenario or $GOOGLE_APPLICATION_CREDENTIALS')
    .option('--webpush <subscriptions>', 'send Web Push to the subscriptions in this JSON file; VAPID keys from the scenario or $VAPID_PUBLIC_KEY, $VAPID_PRIVATE_KEY, $VAPID_SUBJECT')
    .option('--dry-run', 'FCM validate_only: FCM checks every message and delivers none')
    .option('--allow-production', 'consent to production APNs and real FCM sends (the scenario must say allowProduction: true as well)')
    .option('--allow-push-services', 'consent to Web Push to push services off this machine (real browsers)')
    .option('--max-notifications <n>', 'real providers: the most notifications the run may send, warm-up included; a scenario can lower it, never raise it (default 1000; env PUSHSIM_MAX_NOTIFICATIONS)', positiveInteger)
    .option('--max-rate <n>', 'real providers: the most notifications per second; a scenario can lower it, never raise it (default 50; env PUSHSIM_MAX_RATE)', positiveNumber)
    .action(async (name: string, flags: RunFlags) => {
      const { runAction } = await import('./run-action.js');
      await runAction(name, flags, setExitCode);
    });
}

/** `--workers`: a whole number (its upper bound depends on the machine: checked by the runner) or `auto`. */
function workersCount(value: string): number | 'auto' {
  if (value === 'auto') return value;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`expected a whole number ≥ 1 or auto, got "${value}"`);
  return Number(value);
}
