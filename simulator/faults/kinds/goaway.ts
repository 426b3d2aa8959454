/**
 * `goaway`: the provider ends a connection with GOAWAY (RFC 9113 §6.8).
 *  - trigger `request` (default): a selected request's connection gets GOAWAY. Graceful (NO_ERROR):
 *    open streams, this one included, still complete — or with `refuse: true`, last-stream-id is set
 *    below this stream so the client knows it was not processed. Any other `code` is abrupt: the
 *    connection is torn down right after. `reason` adds APNs' JSON debug data `{"reason":"…"}`
 *    (protocols.md §1.5, §1.11); `debug` adds raw debug data.
 *  - trigger `idle`: GOAWAY after `idleMs` without an open stream (FCM/APNs close idle connections, §1.11, §2.7).
 *  - trigger `max-age`: GOAWAY once a connection is `maxAgeMs` old (graceful connection rotation).
 *  - trigger `pings`: more than `maxPings` PINGs within `windowMs` → GOAWAY ENHANCE_YOUR_CALM with
 *    debug data `too_many_pings`, as Google front ends answer aggressive keepalives (§2.7).
 *
 *   - kind: goaway
 *     trigger: request
 *     reason: Shutdown
 *     probability: 0.01
 */
import { constants } from 'node:http2';
import type { Problems } from '../check.js';
import { http2ErrorCode, optionalEnum, optionalNumber, optionalString } from '../check.js';
import type { CancelTimer } from '../../../core/scheduler.js';
import type { FaultKind, FaultRuntime, TrackedSession } from '../types.js';

const triggers = ['request', 'idle', 'max-age', 'pings'] as const;
type Trigger = (typeof triggers)[number];

export const goawayFault: FaultKind = {
  kind: 'goaway',
  description: 'GOAWAY on a request, after idleMs idle, at maxAgeMs, or on too many PINGs (ENHANCE_YOUR_CALM too_many_pings)',
  fields: ['trigger', 'code', 'reason', 'debug', 'refuse', 'idleMs', 'maxAgeMs', 'maxPings', 'windowMs'],
  validate(spec, at) {
    const problems: Problems = [];
    const trigger = optionalEnum(problems, spec, 'trigger', at, triggers) ?? 'request';
    http2ErrorCode(problems, spec, 'code', at, trigger === 'pings' ? 'ENHANCE_YOUR_CALM' : 'NO_ERROR');
    optionalString(problems, spec, 'reason', at);
    optionalString(problems, spec, 'debug', at);
    if (spec['reason'] !== undefined && spec['debug'] !== undefined) problems.push(`${at}: give reason (APNs JSON debug data) or debug (raw), not both`);
    if (spec['refuse'] !== undefined && typeof spec['refuse'] !== 'boolean') problems.push(`${at}.refuse must be true or false`);
    if (spec['refuse'] !== undefined && trigger !== 'request') problems.push(`${at}.refuse applies only to trigger: request`);
    const need = (field: string, when: Trigger): void => {
      if (trigger === when && spec[field] === undefined) problems.push(`${at}.${field} is required for trigger: ${when}`);
      if (trigger !== when && spec[field] !== undefined && !(field === 'windowMs' && trigger === 'pings')) problems.push(`${at}.${field} applies only to trigger: ${when}`);
    };
    need('idleMs', 'idle');
    need('maxAgeMs', 'max-age');
    need('maxPings', 'pings');
    if (spec['windowMs'] !== undefined && trigger !== 'pings') problems.push(`${at}.windowMs applies only to trigger: pings`);
    optionalNumber(problems, spec, 'idleMs', at, 1, 2 ** 31 - 1);
    optionalNumber(problems, spec, 'maxAgeMs', at, 1, 2 ** 31 - 1);
    optionalNumber(problems, spec, 'maxPings', at, 0, Number.MAX_SAFE_INTEGER, true);
    optionalNumber(problems, spec, 'windowMs', at, 1, 2 ** 31 - 1);
    return problems;
  },
  create(spec) {
    const trigger = (spec['trigger'] as Trigger | undefined) ?? 'request';
    const code = http2ErrorCode([], spec, 'code', '', trigger === 'pings' ? 'ENHANCE_YOUR_CALM' : 'NO_ERROR');
    const reason = spec['reason'] as string | undefined;
    const debug = reason !== undefined ? JSON.stringify({ reason }) : ((spec['debug'] as string | undefined) ?? (trigger === 'pings' ? 'too_many_pings' : undefined));
    // Timers on the engine's scheduler (real or virtual time), cancelled when the fault goes.
    const timers = new Set<CancelTimer>();
    const later = (runtime: FaultRuntime, ms: number, run: () => void): CancelTimer => {
      const cancel = runtime.after(ms, () => {
        timers.delete(cancel);
        run();
      });
      timers.add(cancel);
      return () => {
        timers.delete(cancel);
        cancel();
      };
    };
    const goaway = (tracked: TrackedSession, runtime: FaultRuntime): void => {
      if (tracked.session.ended || !runtime.active()) return;
      runtime.fired();
      tracked.session.goaway(code, debug);
    };

    const watchIdle = (tracked: TrackedSession, runtime: FaultRuntime, idleMs: number): void => {
      let cancel: CancelTimer | undefined;
      // Its own count of open streams: the session tracker counts them only when asked to.
      let open = 0;
      const arm = (): void => {
        cancel?.();
        cancel = later(runtime, idleMs, () => {
          cancel = undefined;
          if (open === 0) goaway(tracked, runtime);
        });
      };
      arm();
      tracked.session.onStream(
        () => {
          open++;
          cancel?.();
          cancel = undefined;
        },
        () => --open === 0 && arm(),
      );
      tracked.session.onClose(() => cancel?.());
    };

    const watchPings = (tracked: TrackedSession, runtime: FaultRuntime, maxPings: number, windowMs: number): void => {
      const times: number[] = [];
      tracked.session.onPing(() => {
        const now = runtime.now();
        times.push(now);
        while (times.length > 0 && (times[0] ?? now) <= now - windowMs) times.shift();
        if (times.length > maxPings) goaway(tracked, runtime);
      });
    };

    return {
      onRequest: () =>
        trigger === 'request'
          ? { type: 'goaway', code, refuse: spec['refuse'] === true, abrupt: code !== constants.NGHTTP2_NO_ERROR, debug }
          : undefined,
      onSession(tracked, runtime) {
        if (trigger === 'idle') watchIdle(tracked, runtime, spec['idleMs'] as number);
        else if (trigger === 'max-age') {
          const cancel = later(runtime, spec['maxAgeMs'] as number, () => goaway(tracked, runtime));
          tracked.session.onClose(cancel);
        } else if (trigger === 'pings') watchPings(tracked, runtime, spec['maxPings'] as number, (spec['windowMs'] as number | undefined) ?? 60_000);
      },
      dispose() {
        for (const cancel of timers) cancel();
        timers.clear();
      },
    };
  },
};
