/**
 * Google-shaped service-account keys for the emulator: generating one whose `token_uri` names
 * the emulator, and checking one a user supplies before the emulator trusts it.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  randomInt,
  type KeyObject,
} from 'node:crypto';
import { accept, isJsonObject, refuse, type Parsed } from './checks.js';

/** A service-account JSON key file as the Google Cloud console downloads it. */
export interface ServiceAccountKey {
  type: 'service_account';
  project_id: string;
  /** The key's ID; senders put it in the JWT header as `kid`. */
  private_key_id: string;
  /** PEM, PKCS#8 (`-----BEGIN PRIVATE KEY-----`), RSA. */
  private_key: string;
  client_email: string;
  client_id?: string;
  auth_uri?: string;
  /** Where senders exchange their signed JWT for an access token, and the JWT's `aud`. */
  token_uri?: string;
  auth_provider_x509_cert_url?: string;
  client_x509_cert_url?: string;
  universe_domain?: string;
}

/** What `createServiceAccount` needs; only `tokenUri` is required. */
export interface ServiceAccountOptions {
  /** The emulator's token URL, `<origin>/token`. */
  tokenUri: string;
  /** Default `gcmpush-emulator`. */
  projectId?: string;
  /** Default `gcmpush@<projectId>.iam.gserviceaccount.com`. */
  clientEmail?: string;
}

const DEFAULT_PROJECT_ID = 'gcmpush-emulator';
const REQUIRED_FIELDS = ['project_id', 'private_key_id', 'private_key', 'client_email'] as const;
const OPTIONAL_FIELDS = [
  'client_id',
  'auth_uri',
  'token_uri',
  'auth_provider_x509_cert_url',
  'client_x509_cert_url',
  'universe_domain',
] as const;
// Project IDs go into the v1 path, so a slash or a space would make an unreachable project.
const PROJECT_ID = /^[^\s/]+$/;

/** A digit string shaped like Google's 21-digit numeric client IDs. */
function createClientId(): string {
  const digits = Array.from({ length: 20 }, () => String(randomInt(10)));
  return `1${digits.join('')}`;
}

/** Generates an RSA 2048 key pair (about 100 ms) and wraps it as a service-account key. */
export function createServiceAccount(options: ServiceAccountOptions): ServiceAccountKey {
  const projectId = options.projectId ?? DEFAULT_PROJECT_ID;
  if (!PROJECT_ID.test(projectId)) {
    throw new Error(`invalid project ID ${JSON.stringify(projectId)}: no spaces or slashes`);
  }
  const clientEmail = options.clientEmail ?? `gcmpush@${projectId}.iam.gserviceaccount.com`;
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    type: 'service_account',
    project_id: projectId,
    private_key_id: randomBytes(20).toString('hex'),
    private_key: privateKey,
    client_email: clientEmail,
    client_id: createClientId(),
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: options.tokenUri,
    auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
    client_x509_cert_url:
      `https://www.googleapis.com/robot/v1/metadata/x509/` + encodeURIComponent(clientEmail),
    universe_domain: 'googleapis.com',
  };
}

/** The public half of the key's RSA private key; throws when it is no RSA PEM key. */
export function readPublicKey(account: Pick<ServiceAccountKey, 'private_key'>): KeyObject {
  const privateKey = createPrivateKey({ key: account.private_key, format: 'pem' });
  if (privateKey.asymmetricKeyType !== 'rsa') throw new Error('not an RSA key');
  return createPublicKey(privateKey);
}

function findFieldProblem(value: Record<string, unknown>): string | undefined {
  if (value.type !== 'service_account') {
    return `"type" is ${JSON.stringify(value.type) ?? 'missing'}, not "service_account"`;
  }
  const missing = REQUIRED_FIELDS.find((field) => {
    const text = value[field];
    return typeof text !== 'string' || text === '';
  });
  if (missing !== undefined) return `"${missing}" is missing or not a non-empty string`;
  const notText = OPTIONAL_FIELDS.find(
    (field) => !['string', 'undefined'].includes(typeof value[field]),
  );
  if (notText !== undefined) return `"${notText}" must be a string`;
  if (!PROJECT_ID.test(value.project_id as string)) return '"project_id" holds a space or a slash';
  return undefined;
}

/**
 * Checks that `value` is a service-account key the emulator can trust: the right type, the
 * fields it reads, and a private key that is RSA in PEM. Reasons never quote the key.
 */
export function readServiceAccount(value: unknown): Parsed<ServiceAccountKey> {
  if (!isJsonObject(value)) return refuse('a service-account key must be a JSON object');
  const problem = findFieldProblem(value);
  if (problem !== undefined) return refuse(problem);
  try {
    readPublicKey(value as unknown as ServiceAccountKey);
  } catch {
    return refuse('"private_key" is not an RSA private key in PEM form');
  }
  return accept(value as unknown as ServiceAccountKey);
}
