import { beforeAll, describe, expect, it } from 'vitest';
import { initHistograms } from '../../reports/histogram.js';
import { ResultCollector } from '../../reports/result.js';
import type { Result } from '../../reports/result.js';
import { evaluateThresholds, parseThreshold, validateThresholds } from '../../scenarios/thresholds.js';

let result: Result;
beforeAll(async () => {
  await initHistograms();
  const c = new ResultCollector();
  for (let i = 1; i <= 100; i++) {
    c.onScheduled();
    c.onOutcome(i <= 95 ? { status: 'accepted', provider: 'apns', token: 't', attempts: 1, id: undefined } : { status: 'failed', provider: 'apns', token: 't', attempts: 2, code: 'PUSHSIM_ERR_TIMEOUT', message: 'x' }, i);
  }
  c.onRetry();
  result = c.finish({ startedAt: new Date(0), durationMs: 1000, targetRate: 100 });
  c.destroy();
});

describe('thresholds', () => {
  it('parses the supported forms', () => {
    expect(parseThreshold('p(99)<250')).toMatchObject({ metric: { kind: 'percentile', percentile: 99, outcome: 'accepted' }, operator: '<', value: 250 });
    expect(parseThreshold('p(99.9, rejected) <= 500')).toMatchObject({ metric: { kind: 'percentile', percentile: 99.9, outcome: 'rejected' } });
    expect(parseThreshold('rate(accepted)>=0.97')).toMatchObject({ metric: { kind: 'rate', outcome: 'accepted' }, operator: '>=', value: 0.97 });
    expect(parseThreshold('count(retries)==0')).toMatchObject({ metric: { kind: 'count', counter: 'retries' } });
    expect(parseThreshold('throughput>1000')).toMatchObject({ metric: { kind: 'throughput' } });
  });

  it('explains what is wrong with a bad expression, all of them at once', () => {
    expect(validateThresholds(['p99<250', 'rate(delivered)>0.5', 'count(retries)==0', 'p(150)<1'])).toEqual([
      expect.stringMatching(/^thresholds\[0\]: "p99<250" is not a threshold; write e\.g\./),
      expect.stringMatching(/^thresholds\[1\]: .*unknown outcome "delivered"/),
      expect.stringMatching(/^thresholds\[3\]: .*percentile from 0 to 100/),
    ]);
  });

  it('evaluates against a result, from the full histogram', () => {
    const verdicts = evaluateThresholds(['p(50)<=50', 'p(95)<90', 'p(99, failed)>=99', 'rate(accepted)>=0.95', 'rate(failed)<0.01', 'count(retries)==1', 'throughput>=100', 'p(99, expired)<1'], result);
    expect(verdicts.map((v) => v.passed)).toEqual([true, false, true, true, false, true, true, false]);
    // Accepted latencies are 1..95 ms: the 95th percentile of those is the 91st value.
    expect(verdicts[1]?.actual).toBeCloseTo(91, 0);
    expect(verdicts[7]).toEqual({ expression: 'p(99, expired)<1', actual: null, passed: false });
  });
});
