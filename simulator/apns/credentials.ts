/**
 * APNs token-auth signing keys (protocols.md §1.9): an EC P-256 private key in PKCS#8 PEM (the
 * contents of the `.p8` file Apple hands out), its 10-character key id (JWT header `kid`) and the
 * 10-character team id (JWT claim `iss`).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomInt, type KeyObject } from 'node:crypto';
import { CredentialError } from '../../core/errors.js';

export interface ApnsSigningKey {
  /** JWT `kid`: 10 upper-case letters/digits, e.g. `ABC123DEFG`. */
  readonly keyId: string;
  /** JWT `iss`: 10 upper-case letters/digits. */
  readonly teamId: string;
  /** PKCS#8 PEM, exactly what a `.p8` file contains. */
  readonly privateKey: string;
}

const idAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A fresh key and random ids; pass ids to pin them (e.g. to match a scenario file). */
export function generateApnsSigningKey(ids: { keyId?: string; teamId?: string } = {}): ApnsSigningKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    keyId: ids.keyId ?? randomAppleId(),
    teamId: ids.teamId ?? randomAppleId(),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}

/** Apple key and team ids are 10 characters from [A-Z0-9]. */
export function randomAppleId(): string {
  let id = '';
  for (let i = 0; i < 10; i++) id += idAlphabet[randomInt(idAlphabet.length)];
  return id;
}

/** True when `pem` holds a private key (a `.p8`), false for a public key. Throws CredentialError otherwise. */
export function isPrivateKeyPem(pem: string): boolean {
  try {
    createPrivateKey(pem);
    return true;
  } catch {
    loadApnsVerificationKey(pem);
    return false;
  }
}

/**
 * The public key that verifies ES256 provider tokens, from either a `.p8` (PKCS#8 private key) or
 * an SPKI public key PEM. Throws CredentialError (without echoing the key) unless it is EC P-256,
 * because APNs accepts ES256 only (protocols.md §1.9).
 */
export function loadApnsVerificationKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    // createPublicKey derives the public half when given a private key.
    key = createPublicKey(pem);
  } catch (cause) {
    throw new CredentialError('the APNs key is neither a PKCS#8 private key (.p8) nor a public key in PEM form', { cause });
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    const found = key.asymmetricKeyType === 'ec' ? `EC ${key.asymmetricKeyDetails?.namedCurve ?? '?'}` : String(key.asymmetricKeyType);
    throw new CredentialError(`the APNs key must be EC P-256 (ES256), got ${found}`);
  }
  return key;
}
