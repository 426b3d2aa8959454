/**
 * Does `await sender.close()` always settle? Each run is a fresh `node` process that sends
 * `notifications` with `ApnsSender` (token auth, 100 in flight) to nghttpd over TLS and then awaits
 * `sender.close()` with nothing else keeping the process alive — the case where close() used to
 * never settle (Node exit 13, "unsettled top-level await") in 3 of 8 runs. Prints "settled N of M".
 * Needs /usr/sbin/nghttpd (Debian `nghttp2-server`). Bounded: `runs` processes, each killed after
 * 60 s.
 *
 *   node dist/bench/close-settles.js [runs=100] [notifications=30000]
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApnsSender } from '../sender/apns-sender.js';
import { startNghttpd, writeDocroot } from './lib/nghttpd.js';

const token = 'ab'.repeat(32);

/** The child: send, then close with nothing else to do; exit 0 after "settled", 13 if close() never settles. */
async function child(origin: string, dir: string, total: number): Promise<void> {
  const sender = await ApnsSender.create({
    url: origin,
    credentials: { keyId: 'ABCDEFGHIJ', teamId: 'ABCDEFGHIJ', privateKey: await readFile(join(dir, 'key.p8'), 'utf8') },
    tls: { ca: await readFile(join(dir, 'ca.pem'), 'utf8') },
    policies: { retry: false, circuitBreaker: false },
  });
  let started = 0;
  let accepted = 0;
  await Promise.all(
    Array.from({ length: 100 }, async () => {
      while (started < total) {
        started++;
        const outcome = await sender.send({ token, topic: 'com.example', payload: { aps: { alert: 'x' } } });
        if (outcome.status === 'accepted') accepted++;
      }
    }),
  );
  await sender.close();
  process.stdout.write(`settled ${accepted}\n`);
}

function runChild(origin: string, dir: string, total: number): Promise<{ code: number | null; stdout: string }> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [self, '--child', origin, dir, String(total)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    });
  });
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 100);
  const total = Number(process.argv[3] ?? 30_000);
  const dir = await mkdtemp(join(tmpdir(), 'pushsim-close-'));
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await writeFile(join(dir, 'key.p8'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  // nghttpd answers a POST with the file at its path: an empty one is a 200 without a body, as APNs' success.
  const docroot = join(dir, 'docroot');
  await writeDocroot(docroot, { [`3/device/${token}`]: '' });
  const server = await startNghttpd(docroot, dir);
  await writeFile(join(dir, 'ca.pem'), server.ca);
  try {
    const codes = new Map<string, number>();
    let settled = 0;
    for (let i = 0; i < runs; i++) {
      const { code, stdout } = await runChild(server.origin, dir, total);
      const ok = code === 0 && stdout.startsWith('settled ');
      if (ok) settled++;
      const key = ok ? 'settled' : `exit ${code}`;
      codes.set(key, (codes.get(key) ?? 0) + 1);
      if (!ok) process.stderr.write(`run ${i + 1}: exit ${code} ${stdout.trim()}\n`);
    }
    console.log(`settled ${settled} of ${runs} (${total} notifications each; ${[...codes].map(([k, n]) => `${k}: ${n}`).join(', ')})`);
    process.exitCode = settled === runs ? 0 : 1;
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  await child(process.argv[3] as string, process.argv[4] as string, Number(process.argv[5]));
} else {
  await main();
}
