// An app that sends with firebase-admin, as it would in production: Application Default
// Credentials (GOOGLE_APPLICATION_CREDENTIALS), fcm.googleapis.com, its default HTTP/2 transport.
// Usage: node firebase-admin.mjs TOKEN...
import { applicationDefault, initializeApp } from 'firebase-admin/app';
import { getMessaging } from 'firebase-admin/messaging';

const tokens = process.argv.slice(2);
const app = initializeApp({ credential: applicationDefault() });
const messaging = getMessaging(app);

const first = await messaging.send({ token: tokens[0], notification: { title: 'Hello', body: 'from firebase-admin' } });
const batch = await messaging.sendEach(tokens.map((token) => ({ token, data: { greeting: 'hello' } })));
console.log(JSON.stringify({
  first,
  successCount: batch.successCount,
  failures: batch.responses.flatMap((r, i) => (r.success ? [] : [{ token: tokens[i], code: r.error?.code }])),
}));
await app.delete();
