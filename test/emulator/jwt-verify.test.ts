import { describe, expect, it } from 'vitest';
import { checkAssertionTimes, decodeJwt } from '../../src/emulator/jwt-verify.js';

const NOW = 1_800_000_000;

describe('checkAssertionTimes', () => {
  const cases: Array<[string, { iat: number; exp: number }, boolean]> = [
    ['an assertion issued now for an hour', { iat: NOW, exp: NOW + 3600 }, true],
    ['an iat exactly a minute ahead', { iat: NOW + 60, exp: NOW + 600 }, true],
    ['an iat a minute and a second ahead', { iat: NOW + 61, exp: NOW + 600 }, false],
    ['an exp one second from now', { iat: NOW - 3599, exp: NOW + 1 }, true],
    ['an exp of exactly now', { iat: NOW - 60, exp: NOW }, false],
    ['a lifetime of 3601 seconds', { iat: NOW - 1, exp: NOW + 3600 }, false],
    ['an exp equal to iat in the future', { iat: NOW + 30, exp: NOW + 30 }, false],
  ];

  it.each(cases)('judges %s', (_name, claims, accepted) => {
    expect(checkAssertionTimes(claims, NOW).ok).toBe(accepted);
  });
});

describe('decodeJwt', () => {
  it('splits a JWT and keeps the signed part exactly as sent', () => {
    const header = Buffer.from('{"alg":"RS256"}').toString('base64url');
    const claims = Buffer.from('{"iss":"a"}').toString('base64url');

    const decoded = decodeJwt(`${header}.${claims}.c2ln`);

    expect(decoded).toEqual({
      ok: true,
      value: {
        header: { alg: 'RS256' },
        claims: { iss: 'a' },
        signingInput: `${header}.${claims}`,
        signature: Buffer.from('sig'),
      },
    });
  });

  it('refuses characters outside the base64url alphabet instead of skipping them', () => {
    expect(decodeJwt('eyJhbGciOiJSUzI1NiJ9.e30.c2l+n').ok).toBe(false);
    expect(decodeJwt('eyJhbGciOiJSUzI1NiJ9.e3 0.c2ln').ok).toBe(false);
  });
});
