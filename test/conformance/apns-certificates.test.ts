/**
 * Conformance of certificate-based auth (protocols.md §1.10, Pushy §5.1): mutual TLS with a CA the
 * mock generates, the topic from the certificate's subject UID, BadTopic / BadCertificate /
 * BadCertificateEnvironment, and token auth still working for clients without a certificate.
 */
import type { OutgoingHttpHeaders } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockApns, type MockApns } from '../../simulator/apns/server.js';
import { generateCertificateAuthority, generateClientCertificate, type PemKeyPair } from '../../simulator/tls.js';
import { deviceToken, signProviderToken } from '../simulator/apns/helpers.js';
import { open, remoteStreamLimit, type Connection } from './helpers.js';

const payload = '{"aps":{"alert":"hi"}}';
let production: MockApns;
let sandbox: MockApns;
const connections: Connection[] = [];

beforeAll(async () => {
  [production, sandbox] = await Promise.all([
    startMockApns({ mtls: true, bundleId: 'com.example.app', maxConcurrentStreams: 30 }),
    startMockApns({ mtls: true, sandbox: true, bundleId: 'com.example.app' }),
  ]);
});

afterAll(async () => {
  for (const connection of connections) connection.client.destroy();
  await Promise.all([production.close(), sandbox.close()]);
});

function connectWith(mock: MockApns, certificate: PemKeyPair | undefined): Connection {
  const connection = open(mock.url, { ca: mock.ca, ...(certificate !== undefined && { cert: certificate.cert, key: certificate.key }) });
  connections.push(connection);
  return connection;
}

async function reasonOf(connection: Connection, headers: OutgoingHttpHeaders = {}): Promise<string> {
  const response = await connection.send({ path: `/3/device/${deviceToken(1)}`, headers, body: payload });
  if (response.status === 200) return 'accepted';
  expect(response.headers['content-type']).toBe('application/json');
  const { reason } = JSON.parse(response.body) as { reason: string };
  return `${response.status} ${reason}`;
}

describe('certificate-based auth', () => {
  it('exposes a ready client certificate for bundleId, signed by the CA clients trust', () => {
    expect(production.clientCertificate).toMatchObject({ bundleId: 'com.example.app', cert: expect.stringMatching(/^-----BEGIN CERTIFICATE-----/), key: expect.stringMatching(/PRIVATE KEY/) });
    expect(production.url).toMatch(/^https:/);
  });

  it('accepts pushes without authorization; the topic defaults to the subject UID; full stream limit at once', async () => {
    const connection = connectWith(production, production.clientCertificate);
    await remoteStreamLimit(connection.client, 30);
    expect(await reasonOf(connection)).toBe('accepted');
    expect(await reasonOf(connection, { 'apns-topic': 'com.example.app' })).toBe('accepted');
    expect(await reasonOf(connection, { 'apns-topic': 'com.example.app.voip', 'apns-push-type': 'voip' })).toBe('accepted');
    expect(await reasonOf(connection, { 'apns-topic': 'com.example.app.complication', 'apns-push-type': 'complication' })).toBe('accepted');
  });

  it.each<[string, OutgoingHttpHeaders, string]>([
    ['another app', { 'apns-topic': 'com.example.other' }, '400 BadTopic'],
    ['a fileprovider topic the certificate does not cover', { 'apns-topic': 'com.example.app.pushkit.fileprovider', 'apns-push-type': 'fileprovider' }, '400 BadTopic'],
    ['a location push (token auth only, §1.3)', { 'apns-topic': 'com.example.app.location-query', 'apns-push-type': 'location' }, '403 MissingProviderToken'],
    ['a liveactivity push (token auth only, §1.3)', { 'apns-topic': 'com.example.app.push-type.liveactivity', 'apns-push-type': 'liveactivity' }, '403 MissingProviderToken'],
  ])('rejects %s', async (_name, headers, expected) => {
    expect(await reasonOf(connectWith(production, production.clientCertificate), headers)).toBe(expected);
  });

  it('answers 403 BadCertificate to a certificate from another CA and to an expired one, whatever the request', async () => {
    const stranger = await generateClientCertificate(await generateCertificateAuthority(), { uid: 'com.example.app' });
    const expired = await production.issueClientCertificate({ uid: 'com.example.app', expired: true });
    expect(await reasonOf(connectWith(production, stranger))).toBe('403 BadCertificate');
    expect(await reasonOf(connectWith(production, expired), { 'apns-topic': 'com.example.other', 'apns-priority': '7' })).toBe('403 BadCertificate');
  });

  it('answers 403 BadCertificateEnvironment when the certificate is marked for the other environment', async () => {
    const sandboxCert = await production.issueClientCertificate({ uid: 'com.example.app', environment: 'sandbox' });
    const productionCert = await sandbox.issueClientCertificate({ uid: 'com.example.app', environment: 'production' });
    expect(await reasonOf(connectWith(production, sandboxCert))).toBe('403 BadCertificateEnvironment');
    expect(await reasonOf(connectWith(sandbox, productionCert))).toBe('403 BadCertificateEnvironment');
    expect(await reasonOf(connectWith(sandbox, await sandbox.issueClientCertificate({ uid: 'com.example.app', environment: 'sandbox' })))).toBe('accepted');
    expect(await reasonOf(connectWith(production, await production.issueClientCertificate({ uid: 'com.example.app', environment: 'production' })))).toBe('accepted');
  });

  it('keeps token auth for clients without a certificate on the same mock', async () => {
    const connection = connectWith(production, undefined);
    expect(await reasonOf(connection, { 'apns-topic': 'com.example.app' })).toBe('403 MissingProviderToken');
    const jwt = await signProviderToken(production.credentials);
    expect(await reasonOf(connection, { 'apns-topic': 'com.example.app', authorization: `bearer ${jwt}` })).toBe('accepted');
  });

  it('cannot issue client certificates without mtls', async () => {
    const plain = await startMockApns();
    try {
      expect(plain.clientCertificate).toBeUndefined();
      await expect(plain.issueClientCertificate({ uid: 'com.example.app' })).rejects.toThrow(/needs the mtls option/);
    } finally {
      await plain.close();
    }
  });
});
