/**
 * `pushsim proxy` end to end: the library function behind the command, a YAML fault spec, the APNs
 * mock (TLS) as upstream, and pushsim's own ApnsSender as the client, trusting the proxy's CA.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerProxy } from '../../cli/commands/proxy.js';
import { startProxyCommand } from '../../cli/commands/proxy-action.js';
import type { RunningProxy } from '../../cli/commands/proxy-action.js';
import { ApnsSender } from '../../sender/apns-sender.js';
import { startMockApns } from '../../simulator/apns/server.js';
import type { MockApns } from '../../simulator/apns/server.js';

const token = (n: number): string => n.toString(16).padStart(64, '0');
const spec = `
seed: 11
faults:
  - kind: error
    id: dead-device
    apns: BadDeviceToken
    match: { token: '1$' }
  - kind: outage
    id: shutdown
    mode: shutdown
    match: { token: '2$' }
  - kind: accept-then-fail
    id: duplicate-maker
    apns: Forbidden        # a reason the sender does not retry, so the test retries by hand
    firstNPerToken: 1
    match: { token: '3$' }
`;

let mock: MockApns;
let running: RunningProxy;
let sender: ApnsSender;
const printed: string[] = [];

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pushsim-proxy-e2e-'));
  await writeFile(join(dir, 'faults.yaml'), spec);
  mock = await startMockApns({ tls: true });
  await writeFile(join(dir, 'mock-ca.pem'), mock.ca ?? '');
  running = await startProxyCommand(
    { listen: 0, upstream: mock.url, upstreamCa: join(dir, 'mock-ca.pem'), faults: join(dir, 'faults.yaml'), caDir: dir, controlPort: 0 },
    (line) => printed.push(line),
  );
  sender = await ApnsSender.create({ url: running.proxy.url, credentials: mock.credentials, tls: { ca: running.proxy.ca ?? '' } });
});

afterAll(async () => {
  await sender?.close();
  await running?.close();
  await mock?.close();
});

describe('pushsim proxy in front of the APNs mock', () => {
  it('prints where it listens and the CA to trust, never a credential', () => {
    const output = printed.join('\n');
    expect(output).toContain(`pushsim proxy listening on ${running.proxy.url} → ${mock.url}`);
    expect(output).toContain('faults: 3');
    expect(output).toContain(`trust this CA: ${running.caFile}`);
    expect(output).toContain('-----BEGIN CERTIFICATE-----');
    expect(output).toContain(`control API on ${running.control?.url}`);
    expect(output).not.toMatch(/PRIVATE KEY|bearer|authorization/i);
  });

  it('the sender sees the injected faults; other notifications pass through to the provider', async () => {
    const send = (n: number, id?: string) => sender.send({ token: token(n), topic: 'com.example.app', payload: { aps: { alert: `n${n}` } }, ...(id !== undefined && { id }) });
    expect(await send(1)).toMatchObject({ status: 'rejected', httpStatus: 400, reason: 'BadDeviceToken', retryClass: 'permanent' });
    expect(await send(4)).toMatchObject({ status: 'accepted' });
    expect(await send(5)).toMatchObject({ status: 'accepted' });
    const before = mock.stats();
    const shutdown = await send(2);
    expect(shutdown).toMatchObject({ reason: 'Shutdown' });
    expect(shutdown.status === 'rejected' || shutdown.status === 'failed').toBe(true);
    // Injected answers never reach the provider, whatever the sender's retry policy did.
    expect(mock.stats().requests).toBe(before.requests);
    expect(mock.stats().accepted).toBe(2);
  });

  it('accept-then-fail: the provider accepted, the sender was told otherwise, and its retry is a counted duplicate', async () => {
    const id = '3a3a3a3a-0000-4000-8000-000000000003';
    const notification = { token: token(3), topic: 'com.example.app', payload: { aps: { alert: 'once' } }, id };
    expect(await sender.send(notification)).toMatchObject({ status: 'rejected', reason: 'Forbidden' });
    expect(await sender.send(notification)).toMatchObject({ status: 'accepted', id });
    const ledger = running.proxy.ledger?.summary();
    expect(ledger).toMatchObject({ delivered: 4, duplicates: 1, duplicatesByToken: { [token(3)]: 1 } });
    // The same numbers through the control API.
    const viaApi = (await (await fetch(`${running.control?.url}/ledger`)).json()) as { duplicates: number };
    expect(viaApi.duplicates).toBe(1);
  });
});

describe('registerProxy', () => {
  it('adds `pushsim proxy` with its flags', () => {
    const program = new Command('pushsim');
    registerProxy(program);
    const proxy = program.commands.find((c) => c.name() === 'proxy');
    expect(proxy?.options.map((o) => o.long)).toEqual([
      '--listen', '--upstream', '--host', '--upstream-ca', '--faults', '--seed', '--no-tls', '--ca-dir', '--impersonate', '--control-port', '--control-host',
    ]);
  });

  it('refuses a bad fault spec before listening, listing every problem', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-proxy-bad-'));
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'faults:\n  - kind: error\n  - kind: stall\n    holdMs: -1\n');
    await expect(startProxyCommand({ listen: 0, upstream: 'http://127.0.0.1:1', faults: file }, () => {})).rejects.toMatchObject({
      code: 'PUSHSIM_ERR_INVALID_CONFIG',
      problems: [expect.stringContaining('faults[0]'), expect.stringContaining('faults[1].holdMs')],
    });
  });
});
