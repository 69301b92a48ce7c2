/**
 * The emulator's side of OAuth: the service-account keys it trusts to sign grant JWTs, and the
 * access tokens it issued, each with its account, project and expiry by the injected clock.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import { readPublicKey, readServiceAccount, type ServiceAccountKey } from './service-account.js';

/** One trusted key of a service account. */
export interface TrustedKey {
  clientEmail: string;
  projectId: string;
  /** `private_key_id`; a JWT that names a `kid` must name this one. */
  keyId: string;
  publicKey: KeyObject;
  /** The key file's `token_uri`, also accepted as the JWT's `aud`. */
  tokenUri?: string;
}

/** What an access token stands for. */
export interface AccessGrant {
  clientEmail: string;
  projectId: string;
  /** Milliseconds since the epoch by the emulator's clock. */
  expiresAt: number;
}

/** The outcome of looking up a bearer token. */
export type TokenCheck =
  { valid: true; grant: AccessGrant } | { valid: false; reason: 'unknown' | 'expired' };

/** Service-account keys by `client_email`; an account may have several keys, as on Google. */
export class TrustedAccounts {
  private readonly keys = new Map<string, TrustedKey[]>();

  /** Trusts the key; throws an Error with a one-line reason when it is not a usable key. */
  trust(account: ServiceAccountKey): void {
    const checked = readServiceAccount(account);
    if (!checked.ok) throw new Error(`invalid service account: ${checked.error}`);
    const { client_email: clientEmail, private_key_id: keyId } = checked.value;
    const key: TrustedKey = {
      clientEmail,
      projectId: checked.value.project_id,
      keyId,
      publicKey: readPublicKey(checked.value),
      ...(checked.value.token_uri === undefined ? {} : { tokenUri: checked.value.token_uri }),
    };
    const others = (this.keys.get(clientEmail) ?? []).filter((known) => known.keyId !== keyId);
    this.keys.set(clientEmail, [...others, key]);
  }

  /** The keys that may have signed a JWT from `clientEmail`: only `keyId`'s when it is given. */
  find(clientEmail: string, keyId?: string): TrustedKey[] {
    const keys = this.keys.get(clientEmail) ?? [];
    return keyId === undefined ? keys : keys.filter((key) => key.keyId === keyId);
  }
}

// LIMITATION: only the newest 10,000 tokens are remembered; older ones then count as unknown.
const MAX_TOKENS = 10_000;

/** Access tokens handed out by `POST /token`. */
export class AccessTokens {
  private readonly grants = new Map<string, AccessGrant>();

  /**
   * @param clock milliseconds since the epoch
   * @param lifetimeSeconds how long each token is valid
   */
  constructor(
    private readonly clock: () => number,
    private readonly lifetimeSeconds: number,
  ) {}

  /** A fresh random token for the key's account, valid for the configured lifetime. */
  issue(key: TrustedKey): { accessToken: string; expiresIn: number } {
    // Google's tokens start with ya29.; the same prefix keeps clients' redaction honest.
    const accessToken = `ya29.${randomBytes(48).toString('base64url')}`;
    const expiresAt = this.clock() + this.lifetimeSeconds * 1000;
    this.grants.set(accessToken, {
      clientEmail: key.clientEmail,
      projectId: key.projectId,
      expiresAt,
    });
    if (this.grants.size > MAX_TOKENS) {
      const oldest = this.grants.keys().next();
      if (oldest.done !== true) this.grants.delete(oldest.value);
    }
    return { accessToken, expiresIn: this.lifetimeSeconds };
  }

  check(token: string): TokenCheck {
    const grant = this.grants.get(token);
    if (grant === undefined) return { valid: false, reason: 'unknown' };
    if (this.clock() >= grant.expiresAt) return { valid: false, reason: 'expired' };
    return { valid: true, grant: { ...grant } };
  }
}
