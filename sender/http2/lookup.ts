/**
 * The host name lookup of the pool's connections: `dns.lookup`, except for names under `.invalid`,
 * which fail at once with ENOTFOUND without asking any resolver. RFC 6761 §6.4 reserves `invalid`
 * and says name resolution APIs "SHOULD recognize 'invalid' names as special and SHOULD always
 * return immediately with a negative response"; glibc does not, so an offline machine would wait
 * for its resolver's timeouts, and an online one would send the query off the machine.
 */
import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';

type Callback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** True for `invalid` and any name under it (case-insensitive, a trailing dot allowed). */
export function isInvalidName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'invalid' || name.endsWith('.invalid');
}

/** A `lookup` for `net.connect` / `tls.connect` (and so `http2.connect`). */
export function poolLookup(hostname: string, options: LookupOptions, callback: Callback): void {
  if (!isInvalidName(hostname)) {
    (dnsLookup as (hostname: string, options: LookupOptions, callback: Callback) => void)(hostname, options, callback);
    return;
  }
  const error: NodeJS.ErrnoException = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (.invalid never resolves, RFC 6761)`), {
    code: 'ENOTFOUND',
    syscall: 'getaddrinfo',
    hostname,
  });
  process.nextTick(() => callback(error, ''));
}
