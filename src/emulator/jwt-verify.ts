/**
 * Reads and checks the signed JWT of Google's service-account grant (protocol.md 2.2) with
 * node:crypto alone. Written apart from the client's signer on purpose: a client bug in the
 * header, the claims or the signature must not be mirrored here.
 */
import { verify, type KeyObject } from 'node:crypto';
import { accept, isJsonObject, refuse, type JsonObject, type Parsed } from './checks.js';

/** A JWT split into its parts; nothing in it is trusted until `verifyRs256` says so. */
export interface DecodedJwt {
  header: JsonObject;
  claims: JsonObject;
  /** `base64url(header) + "." + base64url(claims)`, the bytes the signature covers. */
  signingInput: string;
  signature: Buffer;
}

/** Google refuses assertions that live longer than an hour. */
export const MAX_ASSERTION_SECONDS = 3600;
// Sender and emulator usually share a machine, so a minute of drift is plenty.
const CLOCK_SKEW_SECONDS = 60;
// Buffer.from(..., 'base64url') skips characters it does not know, so check the alphabet first.
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function decodeSegment(segment: string, name: string): Parsed<JsonObject> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return refuse(`the JWT ${name} is not base64url-encoded JSON`);
  }
  return isJsonObject(value) ? accept(value) : refuse(`the JWT ${name} is not a JSON object`);
}

/** Splits `header.claims.signature` and decodes the first two; checks nothing else. */
export function decodeJwt(text: string): Parsed<DecodedJwt> {
  const parts = text.split('.');
  if (parts.length !== 3) {
    return refuse(`a JWT has three parts joined by dots; the assertion has ${parts.length}`);
  }
  const [headerPart = '', claimsPart = '', signaturePart = ''] = parts;
  if (!parts.every((part) => BASE64URL.test(part))) {
    return refuse('every part of the JWT must be non-empty base64url without padding');
  }
  const header = decodeSegment(headerPart, 'header');
  if (!header.ok) return header;
  const claims = decodeSegment(claimsPart, 'claims set');
  if (!claims.ok) return claims;
  return accept({
    header: header.value,
    claims: claims.value,
    signingInput: `${headerPart}.${claimsPart}`,
    signature: Buffer.from(signaturePart, 'base64url'),
  });
}

/** True when the signature is RSASSA-PKCS1-v1_5 with SHA-256 by the key's private half. */
export function verifyRs256(jwt: DecodedJwt, publicKey: KeyObject): boolean {
  try {
    return verify('sha256', Buffer.from(jwt.signingInput), publicKey, jwt.signature);
  } catch {
    // A signature of the wrong length for the key throws instead of answering false.
    return false;
  }
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * Checks `iat` and `exp` against `nowSeconds`: issued no later than a minute from now, not
 * expired, and valid for at most an hour, as Google requires of a grant assertion.
 */
export function checkAssertionTimes(claims: JsonObject, nowSeconds: number): Parsed<void> {
  const { iat, exp } = claims;
  if (!isNumericDate(iat)) return refuse('"iat" must be a number of seconds since the epoch');
  if (!isNumericDate(exp)) return refuse('"exp" must be a number of seconds since the epoch');
  if (iat > nowSeconds + CLOCK_SKEW_SECONDS) {
    return refuse(`"iat" is ${Math.round(iat - nowSeconds)} s in the future; check the clock`);
  }
  if (exp <= nowSeconds) return refuse(`the JWT expired ${Math.round(nowSeconds - exp)} s ago`);
  if (exp <= iat || exp - iat > MAX_ASSERTION_SECONDS) {
    return refuse(`"exp" must be later than "iat" by at most ${MAX_ASSERTION_SECONDS} s`);
  }
  return accept(undefined);
}
