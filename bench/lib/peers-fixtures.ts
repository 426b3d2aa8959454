/**
 * The fixtures every peers benchmark client reads (peers-client.ts): nghttpd's origin and CA, the
 * APNs signing key, device tokens, an FCM service account, VAPID keys and Web Push subscriptions,
 * written to `dir/fixtures.json` (0600: it holds private keys), and the files nghttpd must serve
 * for them (`writeDocroot`).
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateApnsSigningKey } from '../../simulator/apns/credentials.js';
import { generateSubscriptionKeys, generateVapidKeys } from '../../simulator/webpush/keys.js';
import type { PeersFixtures } from '../peers-client.js';
import { benchPayload, benchTopic } from './h2load.js';

export async function peersFixtures(dir: string, origin: string, ca: string): Promise<{ file: string; docroot: Record<string, string> }> {
  const deviceTokens = Array.from({ length: 100 }, (_, i) => i.toString(16).padStart(64, 'a'));
  const subscriptions = Array.from({ length: 100 }, (_, i) => {
    const { p256dh, auth } = generateSubscriptionKeys();
    return { endpoint: `${origin}/push/s${i}`, keys: { p256dh, auth } };
  });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const projectId = 'bench-project';
  const data: PeersFixtures = {
    origin,
    ca,
    topic: benchTopic,
    payload: benchPayload,
    apns: generateApnsSigningKey(),
    deviceTokens,
    fcm: {
      projectId,
      clientEmail: `bench@${projectId}.iam.gserviceaccount.com`,
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      data: { title: 'bench', body: 'A notification of about two hundred bytes, like a real one would be', kind: 'bench-message' },
    },
    vapid: generateVapidKeys('mailto:bench@example.com'),
    subscriptions,
  };
  const file = join(dir, 'fixtures.json');
  await writeFile(file, JSON.stringify(data), { mode: 0o600 });
  const docroot: Record<string, string> = { [`v1/projects/${projectId}/messages:send`]: JSON.stringify({ name: `projects/${projectId}/messages/0:1234567890` }) };
  for (const token of deviceTokens) docroot[`3/device/${token}`] = '';
  for (let i = 0; i < subscriptions.length; i++) docroot[`push/s${i}`] = '';
  return { file, docroot };
}
