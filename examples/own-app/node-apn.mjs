// An app that sends with @parse/node-apn to Apple, as it would in production: a .p8 signing key,
// api.push.apple.com (production: true) or api.sandbox.push.apple.com.
// Usage: APNS_KEY_FILE=… APNS_KEY_ID=… APNS_TEAM_ID=… APNS_TOPIC=… node node-apn.mjs DEVICE_TOKEN...
import apn from '@parse/node-apn';

const provider = new apn.Provider({
  token: { key: process.env.APNS_KEY_FILE, keyId: process.env.APNS_KEY_ID, teamId: process.env.APNS_TEAM_ID },
  production: process.env.APNS_PRODUCTION !== 'false',
});
const note = new apn.Notification({ alert: 'Hello from node-apn', topic: process.env.APNS_TOPIC });
const result = await provider.send(note, process.argv.slice(2));
console.log(JSON.stringify({
  sent: result.sent.length,
  failed: result.failed.map((f) => ({ device: f.device, status: f.status, reason: f.response?.reason ?? f.error?.message })),
}));
await provider.shutdown();
