/**
 * `connection`: faults below HTTP/2.
 *  - `refuse`: new TCP connections are reset as soon as they are accepted (the client sees
 *    ECONNRESET, or a TLS/h2 setup error: a listening port cannot answer ECONNREFUSED per connection).
 *  - `reset`: TCP reset (RST) of live connections — every selected live connection when the fault
 *    becomes active, and the connection of every selected request while it is.
 *  - `slow-handshake`: new connections wait `delayMs` before the TLS handshake (or, for h2c, the
 *    HTTP/2 preface) is processed.
 *
 *   - kind: connection
 *     action: slow-handshake
 *     delayMs: 3000
 */
import type { Problems } from '../check.js';
import { optionalEnum, requiredNumber } from '../check.js';
import type { FaultKind } from '../types.js';

const actions = ['refuse', 'reset', 'slow-handshake'] as const;
type Action = (typeof actions)[number];


export const connectionFault: FaultKind = {
  kind: 'connection',
  description: 'refuse new connections, reset live ones (TCP RST), or slow the TLS handshake',
  fields: ['action', 'delayMs'],
  validate(spec, at) {
    const problems: Problems = [];
    const action = optionalEnum(problems, spec, 'action', at, actions);
    if (spec['action'] === undefined) problems.push(`${at}.action is required (${actions.join(', ')})`);
    if (action === 'slow-handshake') requiredNumber(problems, spec, 'delayMs', at, 0, 2 ** 31 - 1);
    else if (spec['delayMs'] !== undefined) problems.push(`${at}.delayMs applies only to action: slow-handshake`);
    return problems;
  },
  create(spec) {
    const action = spec['action'] as Action;
    const delayMs = spec['delayMs'] as number | undefined;
    switch (action) {
      case 'refuse':
        return { onConnection: () => ({ type: 'refuse' }) };
      case 'slow-handshake':
        return { onConnection: () => ({ type: 'delay', ms: delayMs ?? 0 }) };
      case 'reset':
        return {
          onRequest: () => ({ type: 'reset-connection' }),
          onActivate(runtime) {
            for (const tracked of runtime.sessions()) {
              runtime.fired();
              tracked.session.resetConnection();
            }
          },
        };
    }
  },
};
