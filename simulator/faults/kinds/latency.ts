/**
 * `latency`: delays the answer by a sample from a distribution (fixed, uniform, normal, lognormal
 * from simulator/distributions.ts; pareto, bimodal from ../distributions.ts). Delays of several
 * selected latency faults add up; a latency fault never ends a request by itself.
 *
 *   - kind: latency
 *     distribution: { kind: lognormal, medianMs: 80, sigma: 0.6 }
 */
import type { Random } from '../../random.js';
import type { Dice } from '../dice.js';
import { createFaultSampler, validateFaultLatency } from '../distributions.js';
import type { FaultLatencySpec } from '../distributions.js';
import type { FaultKind } from '../types.js';

export const latencyFault: FaultKind = {
  kind: 'latency',
  description: 'delay each selected request by a sample from a latency distribution',
  fields: ['distribution'],
  effect: 'delay',
  validate: (spec, at) => validateFaultLatency(spec['distribution'], `${at}.distribution`),
  create(spec) {
    // The sampler reads whichever dice the framework keyed for this request.
    let dice: Dice | undefined;
    const random: Random = { next: () => dice?.next() ?? 0 };
    const sample = createFaultSampler(spec['distribution'] as FaultLatencySpec, random);
    return {
      onRequest(_request, keyed) {
        dice = keyed;
        return { type: 'delay', ms: Math.max(0, sample()) };
      },
    };
  },
};
