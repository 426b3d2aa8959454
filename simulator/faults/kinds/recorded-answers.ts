/**
 * `recorded-answers`: answers each selected request the way a recorded provider did, in the same
 * proportions (a profile file, simulator/profile.ts, written by `pushsim run --record-profile`).
 * For the request's provider, one roll of the fault's dice picks an answer by its recorded share:
 * an error (503 ServiceUnavailable, 410 Unregistered, FCM UNAVAILABLE, Web Push 429 …) is answered
 * here, provider-faithful (responses.ts), with the Retry-After the provider sent; an acceptance
 * lets the request through to the mock's normal handling. Transport failures the profile counted
 * (resets, timeouts) are not replayed: add a reset or stall fault for those. A provider the profile
 * has no part for is left alone.
 *
 *   - kind: recorded-answers
 *     file: apns-sandbox.profile.json
 */
import { InvalidConfigError } from '../../../core/errors.js';
import { loadProfileSync } from '../../profile.js';
import type { ProfileAnswer } from '../../profile.js';
import type { Problems } from '../check.js';
import { recordedError } from '../responses.js';
import type { FaultKind, FaultProvider, FaultResponse } from '../types.js';

/** Errors with their upper bound on the cumulative share; a roll above the last one is an acceptance. */
interface AnswerTable {
  readonly bounds: readonly number[];
  readonly answers: readonly ProfileAnswer[];
}

export const recordedAnswersFault: FaultKind = {
  kind: 'recorded-answers',
  description: 'answer with the mix of statuses and reasons a provider gave in a recorded profile (pushsim run --record-profile)',
  fields: ['file'],
  validate(spec, at) {
    const file = spec['file'];
    if (typeof file !== 'string' || file.length === 0) return [`${at}.file must be the path of a profile file (pushsim run --record-profile FILE), got ${JSON.stringify(file)}`];
    const problems: Problems = [];
    try {
      loadProfileSync(file);
    } catch (error) {
      if (!(error instanceof InvalidConfigError)) throw error;
      for (const problem of error.problems) problems.push(`${at}.file: profile ${file}: ${problem}`);
    }
    return problems;
  },
  create(spec) {
    const profile = loadProfileSync(spec['file'] as string);
    const tables = new Map<FaultProvider, AnswerTable>();
    for (const [provider, part] of Object.entries(profile.providers) as [FaultProvider, NonNullable<(typeof profile.providers)['apns']>][]) {
      tables.set(provider, answerTable(part.answers));
    }
    return {
      onRequest(request, dice) {
        const table = tables.get(request.provider);
        if (table === undefined) return undefined;
        const answer = pick(table, dice.next());
        if (answer === undefined) return undefined;
        const response: FaultResponse = recordedError(request.provider, answer.status, answer.reason, answer.retryAfterSeconds, request.notificationId);
        return { type: 'respond', response };
      },
    };
  },
};

/** The error answers' cumulative shares of all answers (acceptances are what is left above them). */
export function answerTable(answers: readonly ProfileAnswer[]): AnswerTable {
  const total = answers.reduce((sum, a) => sum + a.count, 0);
  const errors = answers.filter((a) => !isAcceptance(a.status) && a.count > 0);
  let cumulative = 0;
  const bounds = errors.map((a) => (cumulative += a.count / total));
  return { bounds, answers: errors };
}

/** The error for a roll in [0, 1), or undefined for an acceptance. */
export function pick(table: AnswerTable, roll: number): ProfileAnswer | undefined {
  const { bounds, answers } = table;
  for (let i = 0; i < bounds.length; i++) if (roll < (bounds[i] as number)) return answers[i];
  return undefined;
}

/** APNs and FCM accept with 200, Web Push with 201 (RFC 8030 §5). */
function isAcceptance(status: number): boolean {
  return status >= 200 && status < 300;
}
