import { afterEach, describe, expect, it } from 'vitest';
import { startControlServer } from '../../../simulator/control/server.js';
import type { ControlServer } from '../../../simulator/control/server.js';
import { FaultEngine } from '../../../simulator/faults/engine.js';

let control: ControlServer | undefined;
let engine: FaultEngine | undefined;
afterEach(async () => {
  await control?.close();
  engine?.close();
  control = undefined;
  engine = undefined;
});

const apns = (n: number) => ({ provider: 'apns' as const, token: n.toString(16).padStart(64, '0') });

async function call(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: unknown; text: string; type: string | null }> {
  const response = await fetch(`${control!.url}${path}`, {
    method,
    headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...(token !== undefined && { authorization: `Bearer ${token}` }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text, type: response.headers.get('content-type') };
}

describe('control API', () => {
  it('lists, adds, changes and removes faults live; the engine follows', async () => {
    engine = new FaultEngine({ spec: { faults: [{ kind: 'latency', id: 'slow', distribution: { kind: 'fixed', ms: 5 } }] }, tickMs: 0 });
    control = await startControlServer({ engine });
    expect(control.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await call('GET', '/faults')).toMatchObject({ status: 200, json: { phase: 'run', faults: [{ id: 'slow', kind: 'latency', active: true, injected: 0 }] } });

    const added = await call('POST', '/faults', { kind: 'error', id: 'dead', apns: 'Unregistered', match: { token: '1$' } });
    expect(added).toMatchObject({ status: 201, json: { id: 'dead', kind: 'error' } });
    expect(engine.decide(apns(1))?.action).toMatchObject({ response: { reason: 'Unregistered' } });

    expect(await call('PATCH', '/faults/dead', { apns: 'BadDeviceToken' })).toMatchObject({ status: 200, json: { spec: { apns: 'BadDeviceToken', match: { token: '1$' } } } });
    expect(engine.decide(apns(1))?.action).toMatchObject({ response: { reason: 'BadDeviceToken' } });
    expect(await call('PUT', '/faults/dead', { kind: 'outage' })).toMatchObject({ status: 200, json: { id: 'dead', kind: 'outage' } });
    expect(engine.decide(apns(2))?.action).toMatchObject({ response: { reason: 'ServiceUnavailable' } });

    expect(await call('DELETE', '/faults/dead')).toMatchObject({ status: 204 });
    expect(await call('DELETE', '/faults/dead')).toMatchObject({ status: 404 });
    expect(await call('GET', '/faults/dead')).toMatchObject({ status: 404 });
    expect(engine.decide(apns(2))?.action).toBeUndefined();
  });

  it('answers 400 with every problem of an invalid fault', async () => {
    engine = new FaultEngine({ tickMs: 0 });
    control = await startControlServer({ engine });
    const bad = await call('POST', '/faults', { kind: 'throttle', per: 'galaxy', probability: 3 });
    expect(bad).toMatchObject({ status: 400, json: { error: 'invalid fault', problems: [expect.stringContaining('probability'), expect.stringContaining('per must be'), expect.stringContaining('ratePerSecond is required')] } });
    expect(engine.list()).toEqual([]);
  });

  it('answers 400, never 500, to a body that is not a fault spec object, and changes nothing', async () => {
    engine = new FaultEngine({ spec: { faults: [{ kind: 'outage', id: 'down' }] }, tickMs: 0 });
    control = await startControlServer({ engine });
    const before = JSON.stringify(engine.list());
    for (const body of [null, 5, 'text', [], [{ kind: 'outage' }], true]) {
      for (const [method, path] of [['POST', '/faults'], ['PUT', '/faults/down'], ['PATCH', '/faults/down']] as const) {
        const answer = await call(method, path, body);
        expect({ method, body, status: answer.status }).toEqual({ method, body, status: 400 });
        expect(answer.json).toMatchObject({ error: expect.stringMatching(/^the body must be a JSON object: .*, got /) });
      }
    }
    expect(JSON.stringify(engine.list())).toBe(before);
  });

  it('answers 4xx to malformed JSON, a missing body, a body too large and a bad limit', async () => {
    engine = new FaultEngine({ spec: { faults: [{ kind: 'outage', id: 'down' }] }, tickMs: 0 });
    control = await startControlServer({ engine });
    const raw = async (method: string, path: string, body: string, type = 'application/json') =>
      (await fetch(`${control!.url}${path}`, { method, headers: { 'content-type': type }, body })).status;
    expect(await raw('POST', '/faults', '{"kind":')).toBe(400);
    expect(await raw('PATCH', '/faults/down', '')).toBe(400);
    expect(await raw('POST', '/faults', 'kind=outage', 'application/x-www-form-urlencoded')).toBe(415);
    expect(await raw('POST', '/faults', JSON.stringify({ kind: 'outage', id: 'x'.repeat(100_000) }))).toBe(413);
    expect(await call('PATCH', '/faults/down')).toMatchObject({ status: 400 });
    for (const limit of ['-1', 'abc', '1e3', '10001', '0x10']) expect((await call('GET', `/ledger/records?limit=${limit}`)).status).toBe(400);
    expect(await call('GET', '/ledger/records?limit=0')).toMatchObject({ status: 200, json: { records: [] } });
    expect(engine.list().map((f) => f.id)).toEqual(['down']);
  });

  it('resets to the initial spec, serves the ledger and the timeline', async () => {
    engine = new FaultEngine({ spec: { phases: [{ name: 'only' }], faults: [{ kind: 'reset', id: 'r' }] }, tickMs: 0, ledgerRecords: 10 });
    control = await startControlServer({ engine });
    await call('DELETE', '/faults');
    expect(engine.list()).toEqual([]);
    engine.ledger.record({ provider: 'apns', token: 't', notificationId: 'x' });
    engine.ledger.record({ provider: 'apns', token: 't', notificationId: 'x' });
    expect(await call('GET', '/ledger')).toMatchObject({ status: 200, json: { delivered: 2, duplicates: 1, byPhase: { only: { delivered: 2, duplicates: 1 } } } });
    expect(await call('GET', '/ledger/records?limit=1')).toMatchObject({ json: { records: [{ token: 't', duplicateOf: 1 }] } });
    expect(await call('GET', '/timeline')).toMatchObject({ json: { phase: 'only', phases: [{ name: 'only', startMs: 0, endMs: null }] } });
    expect(await call('POST', '/reset')).toMatchObject({ status: 204 });
    expect(engine.list().map((f) => f.id)).toEqual(['r']);
    expect(engine.ledger.summary().delivered).toBe(0);
  });

  it('serves Prometheus metrics: requests, responses, injected faults, connections, streams, deliveries', async () => {
    engine = new FaultEngine({ spec: { faults: [{ kind: 'outage', id: 'down', match: { token: '1$' } }] }, tickMs: 0 });
    control = await startControlServer({ engine });
    engine.decide(apns(1));
    engine.decide(apns(2));
    engine.metrics.response('apns', 503, 'ServiceUnavailable', true);
    engine.ledger.record({ provider: 'apns', token: 'x' });
    const metrics = await call('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.type).toContain('text/plain');
    expect(metrics.text).toContain('pushsim_requests_total{provider="apns"} 2');
    expect(metrics.text).toContain('pushsim_responses_total{provider="apns",status="503",reason="ServiceUnavailable",injected="true"} 1');
    expect(metrics.text).toContain('pushsim_faults_injected_total{kind="outage",fault="down"} 1');
    expect(metrics.text).toContain('pushsim_connections_active 0');
    expect(metrics.text).toContain('pushsim_streams_active 0');
    expect(metrics.text).toContain('pushsim_deliveries_total{provider="apns"} 1');
    expect(metrics.text).toContain('# TYPE pushsim_requests_total counter');
  });

  it('requires the bearer token when one is set, and refuses a non-loopback address without one', async () => {
    engine = new FaultEngine({ tickMs: 0 });
    await expect(startControlServer({ engine, host: '0.0.0.0' })).rejects.toMatchObject({ name: 'InvalidArgumentError', message: expect.stringContaining('needs a bearer token') });
    await expect(startControlServer({ engine, token: 'short' })).rejects.toMatchObject({ name: 'InvalidArgumentError' });
    const secret = 'a-long-enough-control-token';
    control = await startControlServer({ engine, token: secret });
    expect(await call('GET', '/faults')).toMatchObject({ status: 401, json: { error: 'a valid bearer token is required' } });
    expect(await call('GET', '/faults', undefined, 'wrong-token-of-some-length')).toMatchObject({ status: 401 });
    expect(await call('GET', '/faults', undefined, secret)).toMatchObject({ status: 200 });
  });
});
