import { describe, expect, it } from 'vitest';
import { PushSimError } from '../../core/errors.js';
import { ReachabilityWatch, rootCause } from '../../scenarios/reachability.js';
import type { UnreachableCause } from '../../scenarios/reachability.js';
import type { Outcome } from '../../sender/outcome.js';

const origin = 'https://127.0.0.1:1';
const connectFailure = (code: string | undefined, message: string): Error =>
  new PushSimError('PUSHSIM_ERR_CONNECT', `cannot connect to ${origin}: ${message}`, { cause: Object.assign(new Error(message), code === undefined ? {} : { code }) });
const rejected = (httpStatus: number, reason: string, retryClass: 'config' | 'permanent' | 'auth' | 'retryable'): Outcome => ({ status: 'rejected', provider: 'apns', token: 't', attempts: 1, httpStatus, reason, retryClass });
const accepted: Outcome = { status: 'accepted', provider: 'apns', token: 't', attempts: 1, id: undefined };

function watch() {
  const fired: UnreachableCause[] = [];
  return { fired, watch: new ReachabilityWatch(() => origin, (cause) => fired.push(cause)) };
}

describe('ReachabilityWatch', () => {
  it('stops at the first definite connect failure of an origin that never connected, cause first', () => {
    const { fired, watch: w } = watch();
    w.onConnectionFailed(origin, connectFailure('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'));
    w.onConnectionFailed(origin, connectFailure('ECONNREFUSED', 'again'));
    expect(fired).toEqual([{ origin, cause: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' }]);
  });

  it('takes three unclear failures (a reset) before stopping, and none once the origin has connected', () => {
    const { fired, watch: w } = watch();
    w.onConnectionFailed(origin, connectFailure('ECONNRESET', 'read ECONNRESET'));
    w.onConnectionFailed(origin, connectFailure('ECONNRESET', 'read ECONNRESET'));
    expect(fired).toEqual([]);
    w.onConnectionFailed(origin, connectFailure('ECONNRESET', 'read ECONNRESET'));
    expect(fired[0]).toMatchObject({ cause: 'ECONNRESET', message: 'read ECONNRESET (3 connection attempts, none succeeded)' });

    const later = watch();
    later.watch.onConnectionAdded(origin);
    later.watch.onConnectionFailed(origin, connectFailure('ECONNREFUSED', 'refused'));
    expect(later.fired).toEqual([]);
  });

  it('counts TLS verification and a connect timeout as definite', () => {
    const tls = watch();
    tls.watch.onConnectionFailed(origin, connectFailure('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'));
    expect(tls.fired[0]?.cause).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    const slow = watch();
    slow.watch.onConnectionFailed(origin, connectFailure(undefined, 'no HTTP/2 SETTINGS within 10000 ms'));
    expect(slow.fired[0]?.cause).toBe('connect timeout');
  });

  it('stops after five credential rejections before any other answer', () => {
    const { fired, watch: w } = watch();
    for (let i = 0; i < 4; i++) w.onOutcome(rejected(403, 'InvalidProviderToken', 'config'));
    expect(fired).toEqual([]);
    w.onOutcome(rejected(403, 'InvalidProviderToken', 'config'));
    expect(fired[0]).toMatchObject({ origin, cause: '403 InvalidProviderToken' });
  });

  it('does not stop once the provider answered anything else: a success, or a verdict on a token (a permanent 403)', () => {
    for (const first of [accepted, rejected(403, 'SENDER_ID_MISMATCH', 'permanent'), rejected(410, 'Unregistered', 'permanent')]) {
      const working = watch();
      working.watch.onOutcome(first);
      for (let i = 0; i < 10; i++) working.watch.onOutcome(rejected(403, 'InvalidProviderToken', 'config'));
      expect(working.fired).toEqual([]);
    }
  });

  it("stops at the first notification that failed for want of a credential (FCM's token endpoint), naming it, until the provider answered", () => {
    const tokenFailure: Outcome = { status: 'failed', provider: 'fcm', token: 't', attempts: 0, code: 'PUSHSIM_ERR_CREDENTIAL', message: 'cannot reach the OAuth token endpoint http://127.0.0.1:1/token: connect ECONNREFUSED 127.0.0.1:1' };
    const { fired, watch: w } = watch();
    w.onOutcome(tokenFailure);
    expect(fired).toEqual([{ origin, cause: 'credentials', message: 'cannot reach the OAuth token endpoint http://127.0.0.1:1/token: connect ECONNREFUSED 127.0.0.1:1; no request could be sent' }]);

    const later = watch();
    later.watch.onOutcome({ ...accepted, provider: 'fcm' });
    later.watch.onOutcome(tokenFailure);
    expect(later.fired).toEqual([]);
  });

  it('reads the innermost cause, not pushsim\'s wrapping', () => {
    expect(rootCause(connectFailure('ENOTFOUND', 'getaddrinfo ENOTFOUND x.invalid'))).toEqual({ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND x.invalid' });
    expect(rootCause(new PushSimError('PUSHSIM_ERR_CONNECT', 'closed before SETTINGS'))).toEqual({ code: undefined, message: 'closed before SETTINGS' });
  });
});
