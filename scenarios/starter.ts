/**
 * The starter scenario `pushsim init` writes: every section a new user touches first, commented,
 * sized to run in seconds against the embedded mock. A test runs it as written.
 */

/** `schema` is the path of scenario.schema.json relative to the written file (editor completion). */
export function starterScenario(schema: string): string {
  return `# yaml-language-server: $schema=${schema}
# A pushsim scenario. It states only what it changes from the default scenario; every key is
# described in the scenario reference (docs/scenarios.md) and completed by editors with the YAML
# language server (VS Code "YAML", Neovim, JetBrains) through the line above.
#   pushsim run <this file>                 # result.json in pushsim-report/
#   pushsim run <this file> --count 200     # a quick try
name: starter
description: 1,000 notifications a second to the embedded mock APNs, with retries and thresholds

target:
  mock: apns                  # apns, fcm, webpush, or several: [apns, fcm, webpush] (then see mix)
  latency: { kind: lognormal, medianMs: 10, sigma: 0.5 }   # what the mock APNs adds: fixed | uniform | normal | lognormal
# mix: { apns: 0.6, fcm: 0.3, webpush: 0.1 }               # shares when target.mock lists several

load:                         # open model: notification i is due at i / rate, whatever the provider does
  rate: 1000                  # notifications per second
  count: 10000                # measured notifications (10 s)
# load: { executor: ramping-arrival-rate, stages: [{ durationMs: 30000, target: 5000 }] }
# load: { executor: closed, inFlight: 100, count: 100000 }   # the most the target can take
warmup: 1000                  # sent first and left out of the result, so the run starts warm

tokens:
  count: 5000                 # recipients
  unregisteredRatio: 0.02     # dead ones: APNs 410 Unregistered, FCM UNREGISTERED, Web Push 410

policies:                     # how the sender copes; false turns one off
  retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 1000 }
  circuitBreaker: { errorRate: 0.5, openMs: 5000 }

# faults:                     # what the mock does wrong, on a timeline (docs/mocks.md), or a file path
#   phases: [{ name: healthy, durationMs: 3000 }, { name: brownout, durationMs: 4000 }, { name: recovering }]
#   faults:
#     - { kind: error, phase: brownout, probability: { from: 0, to: 0.2 }, apns: InternalServerError }

thresholds:                   # a failed one makes pushsim run exit 99
  - "rate(accepted)>=0.95"    # share of scheduled notifications the provider accepted
  - "count(failed)==0"
# - "p(99)<250"               # ms; set latency bounds from a baseline run on the machine that checks
`;
}
