// firebase-admin, unmodified, through its public API only: a dry run, sendEach of 500, the error
// code of each scripted failure, a 503 it retries, and its HTTP/1.1 transport when asked for.
// Usage: node firebase-admin-cases.mjs '{"ok":"tok","failing":{"CODE":"tok",…},"retried":"tok","batch":500,"legacy":false}'
import { applicationDefault, initializeApp } from 'firebase-admin/app';
import { getMessaging } from 'firebase-admin/messaging';

const plan = JSON.parse(process.argv[2]);
const app = initializeApp({ credential: applicationDefault() });
const messaging = getMessaging(app);
if (plan.legacy) messaging.enableLegacyHttpTransport();

const dryRun = await messaging.send({ token: plan.ok, data: { dry: 'run' } }, true);
const many = await messaging.sendEach(Array.from({ length: plan.batch ?? 500 }, (_, i) => ({ token: plan.ok, data: { n: String(i) } })));
const errors = {};
for (const [code, token] of Object.entries(plan.failing)) {
  errors[code] = await messaging.send({ token, data: { a: 'b' } }).then(() => 'sent', (error) => error.code);
}
const retried = await messaging.send({ token: plan.retried, data: { a: 'b' } }).then((name) => name, (error) => error.code);
console.log(JSON.stringify({ dryRun, successCount: many.successCount, failureCount: many.failureCount, errors, retried }));
await app.delete();
