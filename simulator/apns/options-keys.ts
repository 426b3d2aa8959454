/**
 * Trusted provider-token signing keys (protocols.md §1.9): checked once at start, plus the
 * credentials handed back to the caller.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import type { ApnsSigningKey } from './credentials.js';
import { generateApnsSigningKey, isPrivateKeyPem, loadApnsVerificationKey } from './credentials.js';
import type { TrustedSigningKey } from './jwt-verifier.js';

/** A signing key the mock trusts: `key` is a `.p8` (PKCS#8 private key PEM) or an EC public key PEM. */
export interface ApnsTrustedKey {
  readonly keyId: string;
  readonly teamId: string;
  readonly key: string;
  /** A topic-specific key: the bundle ids it may push to (others → InvalidProviderToken). Default: any topic. */
  readonly topics?: readonly string[];
  /** An environment-scoped key: the other environment answers BadEnvironmentKeyIdInToken. Default: both. */
  readonly environment?: 'sandbox' | 'production';
}

/**
 * Trusted keys plus the credentials handed back to the caller: the first `.p8` given, else a key
 * generated here and trusted too (so `MockApns.credentials` is always usable, even when only
 * public keys were given).
 */
export function resolveKeys(keys: readonly ApnsTrustedKey[] | undefined): { trustedKeys: TrustedSigningKey[]; credentials: ApnsSigningKey } {
  if (keys !== undefined && !Array.isArray(keys)) throw new InvalidArgumentError('keys must be an array of { keyId, teamId, key }');
  const trustedKeys: TrustedSigningKey[] = [];
  let credentials: ApnsSigningKey | undefined;
  const seen = new Set<string>();
  (keys ?? []).forEach((entry: Partial<ApnsTrustedKey> | null, index) => {
    const where = `keys[${index}]`;
    if (typeof entry !== 'object' || entry === null) throw new InvalidArgumentError(`${where} must be { keyId, teamId, key }`);
    const { keyId, teamId, key, topics, environment } = entry;
    if (typeof keyId !== 'string' || keyId === '') throw new InvalidArgumentError(`${where}.keyId must be a non-empty string (the JWT kid)`);
    if (typeof teamId !== 'string' || teamId === '') throw new InvalidArgumentError(`${where}.teamId must be a non-empty string (the JWT iss)`);
    if (typeof key !== 'string') throw new InvalidArgumentError(`${where}.key must be a PEM string (.p8 contents or public key)`);
    if (seen.has(keyId)) throw new InvalidArgumentError(`${where}.keyId '${keyId}' is listed twice; key ids must be unique`);
    if (topics !== undefined && (!Array.isArray(topics) || topics.length === 0 || topics.some((t) => typeof t !== 'string' || t === ''))) {
      throw new InvalidArgumentError(`${where}.topics must be a non-empty list of bundle ids, or absent for a team-scoped key`);
    }
    if (environment !== undefined && environment !== 'sandbox' && environment !== 'production') {
      throw new InvalidArgumentError(`${where}.environment must be 'sandbox' or 'production', or absent for both`);
    }
    seen.add(keyId);
    try {
      trustedKeys.push({
        keyId,
        teamId,
        verificationKey: loadApnsVerificationKey(key),
        ...(topics !== undefined && { topics: [...topics] }),
        ...(environment !== undefined && { environment }),
      });
      if (credentials === undefined && isPrivateKeyPem(key)) credentials = { keyId, teamId, privateKey: key };
    } catch (cause) {
      throw new InvalidArgumentError(`${where}.key (keyId '${keyId}') is not usable: ${(cause as Error).message}`, { cause });
    }
  });
  if (credentials === undefined) {
    let generated = generateApnsSigningKey();
    while (seen.has(generated.keyId)) generated = generateApnsSigningKey();
    trustedKeys.push({ keyId: generated.keyId, teamId: generated.teamId, verificationKey: loadApnsVerificationKey(generated.privateKey) });
    credentials = generated;
  }
  return { trustedKeys, credentials };
}
