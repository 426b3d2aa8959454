/**
 * Safety rails for real providers: pushsim is a load generator, and a mistyped URL must not send a
 * load test's worth of real notifications to real devices. Sending to a production host needs
 * `allowProduction: true`, and is then capped at `productionRateLimit` per second.
 */
import type { Clock } from '../core/clock.js';
import { InvalidArgumentError } from '../core/errors.js';
import { rateLimit } from './interceptors/rate-limit.js';
import type { Interceptor } from './transport.js';

/** Hosts that deliver to real devices (protocols.md §1.1, §2.1). Sandbox hosts are not listed. */
export const productionHosts: ReadonlySet<string> = new Set(['api.push.apple.com', 'fcm.googleapis.com']);

export const DEFAULT_PRODUCTION_RATE = 50;

/** The cap on requests to a production service: `productionRateLimit` per second. */
export function productionCap(options: { readonly productionRateLimit?: number | undefined }, clock: Clock): Interceptor {
  return rateLimit({ perSecond: options.productionRateLimit ?? DEFAULT_PRODUCTION_RATE, clock });
}

/** Whether `url` parses and its host is one of `hosts` (false for anything that is not a URL). */
export function originHostIn(url: string, hosts: ReadonlySet<string>): boolean {
  try {
    return hosts.has(new URL(url).hostname);
  } catch {
    return false;
  }
}

export function isProductionOrigin(url: string): boolean {
  return originHostIn(url, productionHosts);
}

/** Throws unless the origin is not a production host or the caller opted in. */
export function assertProductionAllowed(url: string, allowProduction: boolean | undefined): void {
  if (isProductionOrigin(url) && allowProduction !== true) {
    throw new InvalidArgumentError(
      `${new URL(url).hostname} delivers to real devices; pass allowProduction: true to send there on purpose (rate-capped at ${DEFAULT_PRODUCTION_RATE}/s unless productionRateLimit says otherwise)`,
    );
  }
}
