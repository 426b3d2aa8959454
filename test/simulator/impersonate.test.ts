/**
 * `impersonate` and `ca` on the mocks: the certificate a client checks against the real provider's
 * name, signed by the CA given, and the option mistakes that are refused at start.
 */
import { connect } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockApns } from '../../simulator/apns/server.js';
import { startMockFcm } from '../../simulator/fcm/server.js';
import { providerHosts } from '../../simulator/impersonate.js';
import { generateCertificateAuthority } from '../../simulator/tls.js';
import { startMockWebPush } from '../../simulator/webpush/server.js';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** Connects to the mock's port while checking its certificate against `servername`: resolves 'ok' or the TLS error code. */
function handshake(url: string, ca: string, servername: string): Promise<string> {
  return new Promise((resolve) => {
    const session = connect(url, { ca, servername });
    session.on('connect', () => {
      session.destroy();
      resolve('ok');
    });
    session.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe('impersonation', () => {
  it('each mock serves a certificate valid for its provider names, signed by the CA given; other names fail the check', async () => {
    const ca = await generateCertificateAuthority();
    const apns = await startMockApns({ impersonate: true, ca });
    const fcm = await startMockFcm({ impersonate: true, ca });
    const push = await startMockWebPush({ impersonate: true, ca });
    closers.push(() => apns.close(), () => fcm.close(), () => push.close());
    expect(apns.ca).toBe(ca.cert);
    expect([apns.impersonated, fcm.impersonated, push.impersonated]).toEqual([providerHosts.apns, providerHosts.fcm, providerHosts.webpush]);
    for (const name of providerHosts.apns) expect(await handshake(apns.url, ca.cert, name)).toBe('ok');
    for (const name of providerHosts.fcm) expect(await handshake(fcm.url, ca.cert, name)).toBe('ok');
    for (const name of ['updates.push.services.mozilla.com', 'wns2-by3p.notify.windows.com', 'web.push.apple.com']) expect(await handshake(push.url, ca.cert, name)).toBe('ok');
    expect(await handshake(apns.url, ca.cert, 'fcm.googleapis.com')).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(await handshake(apns.url, ca.cert, 'localhost')).toBe('ok');
    expect(push.endpointOrigin).toBe('https://updates.push.services.mozilla.com');
  });

  it('a list of names instead of the provider\'s; without impersonation no provider name is covered', async () => {
    const apns = await startMockApns({ impersonate: ['push.internal.example'] });
    const plain = await startMockApns({ tls: true });
    closers.push(() => apns.close(), () => plain.close());
    expect(await handshake(apns.url, apns.ca ?? '', 'push.internal.example')).toBe('ok');
    expect(await handshake(apns.url, apns.ca ?? '', 'api.push.apple.com')).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(plain.impersonated).toEqual([]);
    expect(await handshake(plain.url, plain.ca ?? '', 'api.push.apple.com')).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('refuses what cannot work, saying how to fix it', async () => {
    await expect(startMockApns({ impersonate: true, tls: false })).rejects.toThrow(/impersonate needs TLS: drop tls: false/);
    await expect(startMockFcm({ impersonate: true, tls: { cert: 'x', key: 'y' } })).rejects.toThrow(/give either tls: \{ cert, key \} or impersonate, not both/);
    await expect(startMockWebPush({ impersonate: ['not a host'] })).rejects.toThrow(/impersonate must be true or a non-empty list of host names/);
    await expect(startMockFcm({ ca: { cert: 'x' } as never })).rejects.toThrow(/ca must be \{ cert, key \} with PEM strings/);
    await expect(startMockWebPush({ endpointOrigin: 'http://push.example/path' })).rejects.toThrow(/endpointOrigin must be an https origin without a path/);
  });
});
