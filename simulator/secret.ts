/**
 * Secrets a mock takes so that several mocks (the processes of `--workers`) agree: the FCM access
 * tokens' MAC key, the Web Push subscriptions' seed. Given as base64url text, so they cross a process
 * as plain data.
 */
import { randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '../core/errors.js';

/** The fewest bytes a shared secret may have (HMAC-SHA256's output size). */
const minBytes = 32;

/** A new secret, as the options take it. */
export function newSharedSecret(): string {
  return randomBytes(minBytes).toString('base64url');
}

/** The option's bytes; undefined when absent; InvalidArgumentError naming `name` when too short or not text. */
export function resolveSharedSecret(name: string, secret: unknown): Buffer | undefined {
  if (secret === undefined) return undefined;
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'base64url') : Buffer.alloc(0);
  if (bytes.length < minBytes) throw new InvalidArgumentError(`${name} must be at least ${minBytes} bytes in base64url, e.g. randomBytes(32).toString('base64url')`);
  return bytes;
}
