/**
 * pushsim's programmatic API: the mock providers for your own test suites, the sender, the
 * scenario runner and the reports. Everything here is typed; see README.md for examples.
 */
export * from './simulator/index.js';
export * from './simulator/faults/index.js';
export * from './simulator/ledger/index.js';
export * from './simulator/proxy/index.js';
export * from './simulator/control/index.js';
export * from './simulator/fcm/index.js';
export * from './simulator/webpush/index.js';
export * from './reports/index.js';

export * from './sender/index.js';
// Both the simulator and the sender export a list by this name; the package's is the sender's (a typed tuple).
export { apnsPushTypes } from './sender/index.js';

export { ScenarioRun } from './scenarios/runner.js';
export { loadScenarioFile, parseScenario } from './scenarios/file.js';
export { evaluateThresholds, parseThreshold } from './scenarios/thresholds.js';
export type { Threshold, ThresholdVerdict } from './scenarios/thresholds.js';
export type { RunEvents, RunOptions, RunProgress, RunStart, RunWaiting } from './scenarios/runner.js';
export { parseShard, parseStartAt, resolveShard, resolveStartAt, scenarioDigest, shardEnvironment, shardLimits, shardSize } from './scenarios/shard.js';
export type { Shard, ShardFlags } from './scenarios/shard.js';
export type { MockTarget, ScenarioConfig, UrlTarget } from './scenarios/config.js';
export type { ClosedModelConfig, ConstantArrivalRateConfig, LoadConfig, RampingArrivalRateConfig, RampingStage } from './scenarios/executors/index.js';
export { judgeValidity, validityDefaults } from './scenarios/overload.js';
export type { ValidityConfig } from './scenarios/overload.js';
export { validateScenario } from './scenarios/config.js';
export { builtinScenarios } from './scenarios/builtin/index.js';
export { MAX_VARIANTS, expandGrid, tunePolicies, variantLabel } from './scenarios/tune.js';
export type { PolicyGrid, PolicyVariant, TuneOptions } from './scenarios/tune.js';
// Virtual time (docs/virtual-time.md): the scheduler, and a sender Transport answered by a mock's own logic on it.
export { VirtualScheduler, systemScheduler } from './core/scheduler.js';
export type { Scheduler, VirtualSchedulerOptions } from './core/scheduler.js';
export { createSimulatedTransport } from './scenarios/virtual-transport.js';
export type { SimulatedApnsOptions, SimulatedFcmOptions, SimulatedLimits, SimulatedTransport, SimulatedTransportOptions, SimulatedWebPushOptions } from './scenarios/virtual-transport.js';

export { ExitCode } from './core/exit-codes.js';
