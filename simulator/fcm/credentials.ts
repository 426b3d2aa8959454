/**
 * Google service-account keys (protocols.md §2.2): what `firebase-admin` and our sender read from
 * the JSON file the Cloud console hands out. The mock generates one (RSA 2048, PKCS#8) whose
 * `token_uri` points at its own OAuth endpoint, and verifies assertions with the public half.
 */
import { createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { CredentialError } from '../../core/errors.js';

/** The service-account JSON, snake_case as Google writes it. `private_key` is a secret: never log it. */
export interface ServiceAccountJson {
  readonly type: 'service_account';
  readonly project_id: string;
  readonly private_key_id: string;
  readonly private_key: string;
  readonly client_email: string;
  readonly client_id: string;
  readonly token_uri: string;
}

/** What the OAuth endpoint needs to verify one account's assertions. */
export interface TrustedServiceAccount {
  readonly clientEmail: string;
  readonly projectId: string;
  readonly keyId: string;
  readonly verificationKey: KeyObject;
}

export function generateServiceAccount(projectId: string, tokenUri: string, name = 'pushsim-sender'): ServiceAccountJson {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    type: 'service_account',
    project_id: projectId,
    private_key_id: randomBytes(20).toString('hex'),
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    client_email: `${name}@${projectId}.iam.gserviceaccount.com`,
    client_id: String(BigInt(`0x${randomBytes(8).toString('hex')}`)),
    token_uri: tokenUri,
  };
}

/** The verification side of a service account; throws CredentialError (never echoing the key) unless it is RSA. */
export function trustServiceAccount(account: Pick<ServiceAccountJson, 'client_email' | 'project_id' | 'private_key_id' | 'private_key'>): TrustedServiceAccount {
  let verificationKey: KeyObject;
  try {
    verificationKey = createPublicKey(account.private_key);
  } catch (cause) {
    throw new CredentialError(`service account ${account.client_email}: private_key is not a PEM key`, { cause });
  }
  if (verificationKey.asymmetricKeyType !== 'rsa') {
    throw new CredentialError(`service account ${account.client_email}: private_key must be RSA (RS256), got ${String(verificationKey.asymmetricKeyType)}`);
  }
  return { clientEmail: account.client_email, projectId: account.project_id, keyId: account.private_key_id, verificationKey };
}
