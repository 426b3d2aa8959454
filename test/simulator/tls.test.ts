import { X509Certificate } from 'node:crypto';
import { connect, createServer, type ConnectionOptions, type Server, type TlsOptions, type TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import {
  appleCertificateOids,
  generateCertificateAuthority,
  generateClientCertificate,
  generateServerCertificate,
} from '../../simulator/tls.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listen(options: TlsOptions): Promise<number> {
  const server = createServer(options, (socket) => socket.end('hello'));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/** Connects and resolves with the server's greeting, or rejects with the TLS error. */
function handshake(port: number, options: ConnectionOptions): Promise<{ greeting: string; socket: TLSSocket }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ...options });
    let greeting = '';
    socket.on('data', (chunk: Buffer) => (greeting += chunk.toString()));
    socket.on('end', () => resolve({ greeting, socket }));
    socket.on('error', reject);
  });
}

describe('generateServerCertificate', () => {
  it('is trusted by Node given the CA, under servername localhost and when connecting to 127.0.0.1 by IP', async () => {
    const { cert, key, ca } = await generateServerCertificate();
    const port = await listen({ cert, key });
    await expect(handshake(port, { ca, servername: 'localhost' })).resolves.toMatchObject({ greeting: 'hello' });
    await expect(handshake(port, { ca })).resolves.toMatchObject({ greeting: 'hello' });
  });

  it('is refused without the CA, and for a name it does not cover', async () => {
    const { cert, key, ca } = await generateServerCertificate();
    const port = await listen({ cert, key });
    await expect(handshake(port, { servername: 'localhost' })).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    await expect(handshake(port, { ca, servername: 'example.com' })).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  it('lists the hosts as DNS and IP subject alternative names, and is an EC P-256 leaf signed by the CA', async () => {
    const { cert, ca } = await generateServerCertificate({ hosts: ['localhost', 'mock.test', '127.0.0.1', '::1'] });
    const leaf = new X509Certificate(cert);
    expect(leaf.subjectAltName).toBe('DNS:localhost, DNS:mock.test, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(leaf.ca).toBe(false);
    expect(leaf.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const authority = new X509Certificate(ca);
    expect(authority.ca).toBe(true);
    expect(leaf.checkIssued(authority)).toBe(true);
    expect(leaf.verify(authority.publicKey)).toBe(true);
  });

  it('signs with a CA it is given, so one CA can cover several servers', async () => {
    const ca = await generateCertificateAuthority({ commonName: 'shared CA' });
    const first = await generateServerCertificate({ ca });
    const second = await generateServerCertificate({ ca });
    expect(first.ca).toBe(ca.cert);
    expect(new X509Certificate(second.cert).verify(new X509Certificate(ca.cert).publicKey)).toBe(true);
    expect(new X509Certificate(ca.cert).subject).toBe('CN=shared CA');
  });

  it('refuses an empty host list and a validity that is not a whole number of days', async () => {
    await expect(generateServerCertificate({ hosts: [] })).rejects.toMatchObject({ code: 'PUSHSIM_ERR_INVALID_ARGUMENT' });
    await expect(generateServerCertificate({ validityDays: 0 })).rejects.toThrow(/validityDays must be an integer from 1 to 3650/);
  });
});

describe('generateClientCertificate', () => {
  it('makes a client certificate with the bundle id as subject UID, accepted by a server requiring client auth', async () => {
    const ca = await generateCertificateAuthority();
    const server = await generateServerCertificate({ ca });
    const client = await generateClientCertificate(ca, { uid: 'com.example.app' });
    const port = await listen({ cert: server.cert, key: server.key, ca: ca.cert, requestCert: true, rejectUnauthorized: true });
    const { socket, greeting } = await handshake(port, { ca: ca.cert, servername: 'localhost', cert: client.cert, key: client.key });
    expect(greeting).toBe('hello');
    expect(socket.getCertificate()).toMatchObject({ subject: { UID: 'com.example.app', CN: 'Apple Push Services: com.example.app' } });
  });

  it('apple: an RSA key and Apple\'s marks — development, production, and the topics of a universal certificate — under an RSA CA', async () => {
    const ca = await generateCertificateAuthority({ rsa: true });
    const universal = new X509Certificate((await generateClientCertificate(ca, { uid: 'com.example.app', apple: true })).cert);
    const development = new X509Certificate((await generateClientCertificate(ca, { uid: 'com.example.app', environment: 'sandbox', apple: true })).cert);
    expect(universal.publicKey.asymmetricKeyType).toBe('rsa');
    expect(universal.verify(new X509Certificate(ca.cert).publicKey)).toBe(true);
    const oid = (dotted: string): Buffer => Buffer.from(`060a2a864886f7636406030${dotted.at(-1)}`, 'hex');
    expect([appleCertificateOids.development, appleCertificateOids.production, appleCertificateOids.topics].map((o) => universal.raw.includes(oid(o)))).toEqual([true, true, true]);
    expect([appleCertificateOids.development, appleCertificateOids.production, appleCertificateOids.topics].map((o) => development.raw.includes(oid(o)))).toEqual([true, false, false]);
    expect(universal.raw.includes(Buffer.from('com.example.app.voip'))).toBe(true);
  });

  it('refuses a missing uid', async () => {
    const ca = await generateCertificateAuthority();
    await expect(generateClientCertificate(ca, { uid: '' })).rejects.toThrow(/uid must be a non-empty string/);
  });
});
