export {
  HISTOGRAM_BOUNDS,
  createLatencyHistogram,
  decodeHistogram,
  histogramBackend,
  initHistograms,
  mergeEncoded,
} from './histogram.js';
export type { HistogramBackend, HistogramBackendKind, LatencyHistogram, LatencySummary } from './histogram.js';
export { RESULT_SCHEMA, ResultCollector, achievedRate, checkInvariant, parseResult } from './result.js';
export type { BreakerTransition, FinishOptions, LatencyEntry, Result, ResultCounts, TokenToPrune } from './result.js';
export { formatText } from './text.js';
export type { FormatTextOptions } from './text.js';
export { RESULT_FILE, TOKENS_TO_PRUNE_FILE, readResult, writeResult, writeTokensToPrune } from './json.js';
