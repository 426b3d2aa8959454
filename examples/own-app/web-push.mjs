// An app that sends with web-push to its users' browser subscriptions, as it would in production.
// Usage: VAPID_PUBLIC_KEY=… VAPID_PRIVATE_KEY=… VAPID_SUBJECT=mailto:… node web-push.mjs subscriptions.json
import { readFile } from 'node:fs/promises';
import webpush from 'web-push';

webpush.setVapidDetails(process.env.VAPID_SUBJECT, process.env.VAPID_PUBLIC_KEY, process.env.VAPID_PRIVATE_KEY);
const subscriptions = JSON.parse(await readFile(process.argv[2], 'utf8'));
const results = await Promise.all(
  subscriptions.map((subscription) =>
    webpush.sendNotification(subscription, JSON.stringify({ title: 'Hello from web-push' })).then(
      (response) => ({ endpoint: subscription.endpoint, status: response.statusCode }),
      (error) => ({ endpoint: subscription.endpoint, status: error.statusCode ?? error.message }),
    ),
  ),
);
console.log(JSON.stringify(results));
