import { describe, expect, it } from 'vitest';
import { VirtualScheduler } from '../../../core/scheduler.js';
import { FaultEngine } from '../../../simulator/faults/engine.js';
import { VirtualSession, openVirtualSession, virtualConnector } from '../../../simulator/virtual/session.js';

function recorder() {
  const sent: string[] = [];
  return { sent, events: { streamLimit: (n: number) => sent.push(`settings ${n}`), goaway: (code: number) => sent.push(`goaway ${code}`), resetConnection: () => sent.push('reset') } };
}

describe('VirtualSession (a simulated connection as the fault engine sees it)', () => {
  it('sends one GOAWAY at most, and nothing once the connection ended; close listeners run once', () => {
    const { sent, events } = recorder();
    const session = new VirtualSession(events);
    let closed = 0;
    session.onClose(() => closed++);
    session.goaway(0, undefined);
    session.goaway(11, 'again');
    session.end();
    session.end();
    session.setStreamLimit(1);
    session.resetConnection();
    session.onClose(() => closed++); // after the end: at once
    expect(sent).toEqual(['goaway 0']);
    expect(closed).toBe(2);
    expect(session.ended).toBe(true);
  });

  it('connect attempts are numbered by the engine as accepted sockets, and a refuse fault refuses them', () => {
    const scheduler = new VirtualScheduler();
    const engine = new FaultEngine({ scheduler, tickMs: 0, spec: { faults: [{ kind: 'connection', id: 'no', action: 'refuse', match: { connection: 2 } }] } });
    const connect = virtualConnector(engine);
    expect([connect(), connect(), connect()]).toEqual([
      { id: 1, verdict: { type: 'accept' } },
      { id: 2, verdict: { type: 'refuse' } },
      { id: 3, verdict: { type: 'accept' } },
    ]);
    expect(virtualConnector(undefined)()).toEqual({ id: 1, verdict: { type: 'accept' } });
    engine.close();
  });

  it('a streams fault holds its limit over the host\'s own raise, and restores the raised one when its window closes (on the virtual clock)', async () => {
    const scheduler = new VirtualScheduler();
    const engine = new FaultEngine({ scheduler, tickMs: 0, spec: { faults: [{ kind: 'streams', id: 'narrow', startMs: 10, durationMs: 10, maxConcurrentStreams: 1 }] } });
    const { sent, events } = recorder();
    const session = openVirtualSession(engine, 1, 1, events);
    await scheduler.run(15);
    engine.setStreamLimit(session, 1000); // APNs' raise after a valid token, during the fault
    await scheduler.run(25);
    expect(sent).toEqual(['settings 1', 'settings 1000']);
    engine.close();
  });
});
