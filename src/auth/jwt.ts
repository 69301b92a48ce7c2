/**
 * The signed JWT a service account trades for an access token (OAuth 2.0 JWT bearer grant,
 * RFC 7523), built with node:crypto alone. Pure: the same account and clock give the same JWT.
 */
import { sign } from 'node:crypto';
import type { ServiceAccount } from './service-account.js';

/** The one scope FCM HTTP v1 sends need. */
export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

/** Google refuses assertions that live longer than an hour. */
export const ASSERTION_LIFETIME_SECONDS = 3600;

/** The claims of the assertion, all times in seconds since the epoch. */
export interface AssertionClaims {
  iss: string;
  scope: string;
  aud: string;
  iat: number;
  exp: number;
}

/** The claims for `account` at `now` (ms since the epoch). */
export function buildAssertionClaims(account: ServiceAccount, now: number): AssertionClaims {
  const issuedAt = Math.floor(now / 1000);
  return {
    iss: account.clientEmail,
    scope: FCM_SCOPE,
    aud: account.tokenUri,
    iat: issuedAt,
    exp: issuedAt + ASSERTION_LIFETIME_SECONDS,
  };
}

/**
 * The compact JWT: base64url header and claims, signed RS256 (RSASSA-PKCS1-v1_5 with SHA-256).
 * `now` is in ms since the epoch.
 */
export function createAssertion(account: ServiceAccount, now: number): string {
  // `kid` tells Google which of the account's keys signed; without it every key is tried.
  const header =
    account.privateKeyId === undefined
      ? { alg: 'RS256', typ: 'JWT' }
      : { alg: 'RS256', typ: 'JWT', kid: account.privateKeyId };
  const signingInput = `${encodePart(header)}.${encodePart(buildAssertionClaims(account, now))}`;
  const signature = sign('sha256', Buffer.from(signingInput), account.privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

function encodePart(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
