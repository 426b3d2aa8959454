export {
  HISTOGRAM_BOUNDS,
  createLatencyHistogram,
  decodeHistogram,
  histogramBackend,
  initHistograms,
  mergeEncoded,
} from './histogram.js';
export type { HistogramBackend, HistogramBackendKind, LatencyHistogram, LatencySummary } from './histogram.js';
export { RESULT_SCHEMA, ResultCollector, achievedRate, checkInvariant } from './result.js';
export { parseResult } from './result-parse.js';
export type { ParseResultOptions } from './result-parse.js';
export type { BottleneckKind, BreakerTransition, DeliverySummary, FaultInjection, FinishOptions, Interruption, LatencyEntry, LoadModel, MergedShards, OverloadEvidence, PhaseSpan, Result, ResultCounts, SentAt, ShardInfo, TokenToPrune, Unreachable, Validity } from './result.js';
export { TimelineRecorder } from './timeline.js';
export type { TimelineSecond } from './timeline.js';
export { formatText } from './text.js';
export type { FormatTextOptions } from './text.js';
export { RESULT_FILE, TOKENS_TO_PRUNE_FILE, TUNE_FILE, readResult, writeResult, writeTokensToPrune, writeTuneReport } from './json.js';
export { formatJUnit } from './junit.js';
export { formatHtml } from './html.js';
export { mergeResults } from './merge.js';
export { DEFAULT_TOLERANCES, compareResults, formatComparison } from './compare.js';
export type { CompareTolerances, Comparison, FormatComparisonOptions, MetricComparison, MetricUnit, RunInfo } from './compare.js';
export { TUNE_SCHEMA, compareTuneMetrics, formatTune, rankVariants, tuneMetrics, tuneReport, withoutResults } from './tune.js';
export type { FormatTuneOptions, TuneMetrics, TuneReport, TunedPolicies, TunedVariant } from './tune.js';
