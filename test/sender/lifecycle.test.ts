/**
 * Each provider's sender, in a process of its own with nothing else to do: send, then `await
 * sender.close()` (or destroy()), twice. close() must settle and nothing may keep the process alive
 * afterwards (a timer, an OAuth client, a socket): the child must print "settled" and exit 0 by
 * itself. Exit 13 would be Node's "unsettled top-level await", a timeout something left running.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockApns } from '../../simulator/apns/server.js';
import type { MockApns } from '../../simulator/apns/server.js';
import { startMockFcm } from '../../simulator/fcm/server.js';
import type { MockFcm } from '../../simulator/fcm/server.js';
import { startMockWebPush } from '../../simulator/webpush/server.js';
import type { MockWebPush } from '../../simulator/webpush/server.js';

const dist = (path: string): string => JSON.stringify(pathToFileURL(join(import.meta.dirname, '../../dist', path)).href);

let apns: MockApns;
let fcm: MockFcm;
let push: MockWebPush;
let dir: string;
beforeAll(async () => {
  [apns, fcm, push] = await Promise.all([startMockApns({ tls: true }), startMockFcm({}), startMockWebPush({ subscriptions: 1 })]);
  dir = await mkdtemp(join(tmpdir(), 'pushsim-sender-lifecycle-'));
});
afterAll(async () => {
  await Promise.all([apns.close(), fcm.close(), push.close()]);
});

/** Runs `body` (an ES module; `input` holds what the test passed) and returns its stdout once it exits by itself. */
async function child(name: string, input: unknown, body: string): Promise<string> {
  const file = join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify(input));
  const script = `import { readFileSync } from 'node:fs';\nconst input = JSON.parse(readFileSync(${JSON.stringify(file)}, 'utf8'));\n${body}`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${name}: exit ${String((error as { code?: unknown }).code)} ${error.killed ? '(killed: still running after 30 s)' : ''}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

const sendThenClose = (create: string, notification: string, end: 'close' | 'destroy'): string => `
const sender = await ${create};
const outcomes = await Promise.all([1, 2, 3].map(() => sender.send(${notification})));
process.stdout.write(outcomes.map((o) => o.status).join(',') + '\\n');
await Promise.all([sender.${end}(), sender.${end}()]);
await sender.${end}();
process.stdout.write('settled\\n');`;

describe.each(['close', 'destroy'] as const)('senders: %s() settles and leaves nothing running', (end) => {
  it('ApnsSender over TLS', async () => {
    const body = `import { ApnsSender } from ${dist('sender/apns-sender.js')};\n${sendThenClose(
      'ApnsSender.create({ url: input.url, credentials: input.credentials, tls: { ca: input.ca } })',
      "{ token: 'ab'.repeat(32), topic: 'com.example.app', payload: { aps: { alert: 'x' } } }",
      end,
    )}`;
    const stdout = await child(`apns-${end}`, { url: apns.url, credentials: apns.credentials, ca: apns.ca }, body);
    expect(stdout).toBe('accepted,accepted,accepted\nsettled\n');
  });

  it('FcmSender (with its OAuth client)', async () => {
    const body = `import { FcmSender } from ${dist('sender/fcm-sender.js')};\n${sendThenClose(
      'FcmSender.create({ url: input.url, serviceAccount: input.serviceAccount })',
      "{ token: 'device-token-1', data: { a: '1' } }",
      end,
    )}`;
    const stdout = await child(`fcm-${end}`, { url: fcm.url, serviceAccount: fcm.serviceAccount }, body);
    expect(stdout).toBe('accepted,accepted,accepted\nsettled\n');
  });

  it('WebPushSender', async () => {
    const body = `import { WebPushSender } from ${dist('sender/webpush-sender.js')};\n${sendThenClose(
      'WebPushSender.create({ vapid: input.vapid })',
      "{ subscription: input.subscription, payload: 'x' }",
      end,
    )}`;
    const stdout = await child(`webpush-${end}`, { vapid: push.vapid, subscription: push.subscriptions.list()[0] }, body);
    expect(stdout).toBe('accepted,accepted,accepted\nsettled\n');
  });
});
