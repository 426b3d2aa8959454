/**
 * The request body as bytes. Fastify parses a body only when the request has a content-type or a
 * length; HTTP/2 clients (node:http2 included) may send neither, so such bodies are read here,
 * keeping at most `keepBytes` and draining the rest so flow control never stalls the client.
 */
import type { DualRequest } from './dual-protocol.js';

export function bodyOf(request: DualRequest, keepBytes: number): Buffer | Promise<Buffer> {
  if (Buffer.isBuffer(request.body)) return request.body;
  const raw = request.raw;
  if (raw.readableEnded) return Buffer.alloc(0);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    const finish = (): void => resolve(Buffer.concat(chunks, kept));
    raw.on('data', (chunk: Buffer) => {
      if (kept >= keepBytes) return;
      const part = chunk.length <= keepBytes - kept ? chunk : chunk.subarray(0, keepBytes - kept);
      chunks.push(part);
      kept += part.length;
    });
    raw.once('end', finish);
    raw.once('close', finish);
    raw.once('error', finish);
  });
}
