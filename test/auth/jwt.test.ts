import { verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ASSERTION_LIFETIME_SECONDS,
  FCM_SCOPE,
  buildAssertionClaims,
  createAssertion,
} from '../../src/auth/jwt.js';
import { validateServiceAccount } from '../../src/auth/service-account.js';
import { accountJson, createTestKeys } from '../helpers/service-account.js';

const keys = createTestKeys();
const NOW = Date.parse('2024-05-01T12:00:00.750Z');
const account = validateServiceAccount(
  accountJson(keys.privatePem, { token_uri: 'https://oauth.test/token' }),
  'test',
);

function decode(part: string | undefined): unknown {
  return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
}

describe('createAssertion', () => {
  it('is three base64url parts with no padding', () => {
    const parts = createAssertion(account, NOW).split('.');
    expect(parts).toHaveLength(3);
    for (const part of parts) expect(part).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('has an RS256 JWT header naming the key ID', () => {
    const [header] = createAssertion(account, NOW).split('.');
    expect(decode(header)).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'key-id-0123' });
  });

  it('leaves kid out when the account has no key ID', () => {
    const { privateKeyId: _dropped, ...withoutId } = account;
    const [header] = createAssertion(withoutId, NOW).split('.');
    expect(decode(header)).toEqual({ alg: 'RS256', typ: 'JWT' });
  });

  it('claims the account, the FCM scope, the token endpoint and a one-hour life in seconds', () => {
    const [, claims] = createAssertion(account, NOW).split('.');
    const issuedAt = Math.floor(NOW / 1000);
    expect(decode(claims)).toEqual({
      iss: 'sender@demo-project.iam.gserviceaccount.com',
      scope: 'https://www.googleapis.com/auth/firebase.messaging',
      aud: 'https://oauth.test/token',
      iat: issuedAt,
      exp: issuedAt + 3600,
    });
    expect(buildAssertionClaims(account, NOW).scope).toBe(FCM_SCOPE);
    expect(ASSERTION_LIFETIME_SECONDS).toBe(3600);
  });

  it('is signed RSASSA-PKCS1-v1_5 SHA-256, verifiable with the public key', () => {
    const [header, claims, signature] = createAssertion(account, NOW).split('.');
    const input = Buffer.from(`${header}.${claims}`);
    const bytes = Buffer.from(signature ?? '', 'base64url');
    expect(verify('sha256', input, keys.publicKey, bytes)).toBe(true);
    expect(verify('sha256', Buffer.from(`${header}.${claims}x`), keys.publicKey, bytes)).toBe(
      false,
    );
  });

  it('is the same for the same clock: no hidden time or randomness', () => {
    expect(createAssertion(account, NOW)).toBe(createAssertion(account, NOW));
    expect(createAssertion(account, NOW)).not.toBe(createAssertion(account, NOW + 1000));
  });
});
