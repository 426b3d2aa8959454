/**
 * `stall`: holds a selected request for `holdMs` and then lets it through, or — without `holdMs` —
 * forever (a blackhole: never forwarded, never answered; the stream stays open until the client
 * gives up or the connection closes). Tests a sender's request timeout.
 *
 *   - kind: stall
 *     holdMs: 30000
 */
import type { Problems } from '../check.js';
import { optionalNumber } from '../check.js';
import type { FaultKind } from '../types.js';

export const stallFault: FaultKind = {
  kind: 'stall',
  description: 'hold the request for holdMs then let it through, or forever (blackhole) without holdMs',
  fields: ['holdMs'],
  validate(spec, at) {
    const problems: Problems = [];
    optionalNumber(problems, spec, 'holdMs', at, 0, 2 ** 31 - 1);
    return problems;
  },
  create(spec) {
    const ms = spec['holdMs'] as number | undefined;
    return { onRequest: () => ({ type: 'stall', ms }) };
  },
};
