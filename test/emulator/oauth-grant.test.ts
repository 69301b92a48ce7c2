import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { createServiceAccount } from '../../src/emulator/service-account.js';
import { addDevice, callControl } from './helpers.js';
import {
  buildClaims,
  fetchAccessToken,
  JWT_GRANT,
  postToken,
  PROJECT,
  readOAuthRefusal,
  sendV1,
  signAssertion,
  signJwt,
  STALE_TOKEN_URI,
  START,
  TEST_ACCOUNT,
} from './v1-helpers.js';

// TEST_ACCOUNT's token_uri names a port no emulator listens on, like a key file kept from an
// earlier run; the stranger's key is trusted nowhere.
const account = TEST_ACCOUNT;
const stranger = createServiceAccount({ tokenUri: STALE_TOKEN_URI, projectId: PROJECT });
let emulator: RunningEmulator;
const now = START;

beforeEach(async () => {
  emulator = await startEmulator({ port: 0, clock: () => now, serviceAccounts: [account] });
});

afterEach(() => emulator.close());

function requestGrant(assertion: string): Promise<Response> {
  return postToken(emulator, { grant_type: JWT_GRANT, assertion });
}

describe('POST /token', () => {
  it('exchanges a signed JWT for a bearer token that sends', async () => {
    const response = await requestGrant(signAssertion(emulator, account, { nowMs: now }));

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({
      access_token: expect.stringMatching(/^ya29\.[\w-]{40,}$/),
      expires_in: 3600,
      token_type: 'Bearer',
    });
    const device = await addDevice(emulator);
    const sent = await sendV1(
      emulator,
      { message: { token: device } },
      {
        token: body.access_token as string,
      },
    );
    expect(sent.status).toBe(200);
  });

  it('issues a different token for every grant', async () => {
    const tokens = await Promise.all(
      Array.from({ length: 5 }, () => fetchAccessToken(emulator, account, now)),
    );

    expect(new Set(tokens).size).toBe(5);
  });

  it("accepts the cloud-platform scope, a JWT without kid, and the key file's token_uri", async () => {
    const cloud = { scope: 'openid https://www.googleapis.com/auth/cloud-platform' };
    const withoutKid = signJwt(buildClaims(account, emulator.tokenUrl, now), account.private_key);
    const staleAudience = signAssertion(emulator, account, {
      nowMs: now,
      changes: { aud: STALE_TOKEN_URI },
    });

    const statuses = await Promise.all(
      [
        signAssertion(emulator, account, { nowMs: now, changes: cloud }),
        withoutKid,
        staleAudience,
      ].map(async (assertion) => (await requestGrant(assertion)).status),
    );

    expect(statuses).toEqual([200, 200, 200]);
  });

  it('accepts the token URL of the host the request was addressed to', async () => {
    const host = `localhost:${emulator.port}`;
    const post = (audience: string): Promise<number> => {
      const changes = { aud: audience };
      const assertion = signAssertion(emulator, account, { nowMs: now, changes });
      const body = new URLSearchParams({ grant_type: JWT_GRANT, assertion }).toString();
      const headers = { host, 'content-type': 'application/x-www-form-urlencoded' };
      return new Promise((resolve, reject) => {
        const sent = request(emulator.tokenUrl, { method: 'POST', headers }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        sent.on('error', reject);
        sent.end(body);
      });
    };

    expect(await post(`http://${host}/token`)).toBe(200);
    expect(await post(`http://localhost:${emulator.port + 1}/token`)).toBe(400);
  });

  const refusedClaims: Array<[string, (nowSeconds: number) => Record<string, unknown>, RegExp]> = [
    [
      'another service account as iss',
      () => ({ iss: 'someone@else.iam.gserviceaccount.com' }),
      /no trusted service account/,
    ],
    [
      "Google's own token URL as aud",
      () => ({ aud: 'https://oauth2.googleapis.com/token' }),
      /"aud" must be http:\/\/127\.0\.0\.1:\d+\/token/,
    ],
    ['an expired JWT', (s) => ({ iat: s - 3600, exp: s }), /expired/],
    ['exp more than an hour after iat', (s) => ({ iat: s, exp: s + 3601 }), /at most 3600 s/],
    ['exp before iat', (s) => ({ iat: s, exp: s - 1 }), /expired|later than "iat"/],
    ['iat well in the future', (s) => ({ iat: s + 120, exp: s + 600 }), /in the future/],
    ['iat as text', (s) => ({ iat: String(s) }), /"iat" must be a number/],
    ['no exp', () => ({ exp: undefined }), /"exp" must be a number/],
  ];

  it.each(refusedClaims)('refuses %s as invalid_grant', async (_name, changes, reason) => {
    const assertion = signAssertion(emulator, account, {
      nowMs: now,
      changes: changes(Math.floor(now / 1000)),
    });

    const body = await readOAuthRefusal(await requestGrant(assertion));

    expect(body.error).toBe('invalid_grant');
    expect(body.error_description).toMatch(reason);
  });

  it('allows an iat up to a minute ahead, for clocks that drift apart', async () => {
    const seconds = Math.floor(now / 1000);
    const assertion = signAssertion(emulator, account, {
      nowMs: now,
      changes: { iat: seconds + 60, exp: seconds + 600 },
    });

    expect((await requestGrant(assertion)).status).toBe(200);
  });

  it('refuses a JWT signed by a key it does not trust', async () => {
    const claims = buildClaims(account, emulator.tokenUrl, now);
    const forged = signJwt(claims, stranger.private_key);
    const wrongKid = signJwt(claims, account.private_key, {
      alg: 'RS256',
      kid: stranger.private_key_id,
    });

    const forgedBody = await readOAuthRefusal(await requestGrant(forged));
    const kidBody = await readOAuthRefusal(await requestGrant(wrongKid));

    expect(forgedBody).toEqual({
      error: 'invalid_grant',
      error_description: expect.stringMatching(/signature/),
    });
    expect(kidBody).toEqual({
      error: 'invalid_grant',
      error_description: expect.stringMatching(/private_key_id/),
    });
  });

  it('refuses a JWT whose claims were changed after signing', async () => {
    const [header, , signature] = signAssertion(emulator, account, { nowMs: now }).split('.');
    const claims = {
      ...buildClaims(account, emulator.tokenUrl, now),
      exp: Math.floor(now / 1000) + 60,
    };
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;

    const body = await readOAuthRefusal(await requestGrant(tampered));

    expect(body.error_description).toMatch(/signature/);
  });

  const refusedHeaders: Array<[string, object]> = [
    ['alg HS256', { alg: 'HS256', typ: 'JWT' }],
    ['alg none', { alg: 'none' }],
    ['no alg', { typ: 'JWT' }],
  ];

  it.each(refusedHeaders)('refuses a JWT header with %s', async (_name, header) => {
    const assertion = signJwt(
      buildClaims(account, emulator.tokenUrl, now),
      account.private_key,
      header,
    );

    const body = await readOAuthRefusal(await requestGrant(assertion));

    expect(body).toEqual({
      error: 'invalid_grant',
      error_description: expect.stringMatching(/RS256/),
    });
  });

  const malformed: Array<[string, string]> = [
    ['one part', 'not-a-jwt'],
    ['two parts', 'abc.def'],
    ['four parts', 'a.b.c.d'],
    ['an empty signature', 'eyJhbGciOiJSUzI1NiJ9.e30.'],
    ['base64 padding', 'eyJhbGciOiJSUzI1NiJ9.e30=.c2ln'],
    ['a header that is not JSON', `${Buffer.from('{alg').toString('base64url')}.e30.c2ln`],
    [
      'claims that are an array',
      `eyJhbGciOiJSUzI1NiJ9.${Buffer.from('[1]').toString('base64url')}.c2ln`,
    ],
  ];

  it.each(malformed)(
    'refuses a malformed JWT with %s as invalid_grant',
    async (_name, assertion) => {
      const body = await readOAuthRefusal(await requestGrant(assertion));

      expect(body.error).toBe('invalid_grant');
      expect(body.error_description).toMatch(/JWT/);
    },
  );

  it('refuses a JWT without an FCM scope as invalid_scope', async () => {
    const email = 'https://www.googleapis.com/auth/userinfo.email';
    const other = signAssertion(emulator, account, { nowMs: now, changes: { scope: email } });
    const none = signAssertion(emulator, account, { nowMs: now, changes: { scope: undefined } });

    const bodies = [
      await readOAuthRefusal(await requestGrant(other)),
      await readOAuthRefusal(await requestGrant(none)),
    ];

    expect(bodies.map((body) => body.error)).toEqual(['invalid_scope', 'invalid_scope']);
    expect(bodies[0]?.error_description).toContain('firebase.messaging');
  });

  it('refuses a wrong or missing grant_type as unsupported_grant_type', async () => {
    const assertion = signAssertion(emulator, account, { nowMs: now });

    const wrong = await readOAuthRefusal(
      await postToken(emulator, { grant_type: 'client_credentials', assertion }),
    );
    const missing = await readOAuthRefusal(await postToken(emulator, { assertion }));

    expect([wrong.error, missing.error]).toEqual([
      'unsupported_grant_type',
      'unsupported_grant_type',
    ]);
    expect(wrong.error_description).toContain(JWT_GRANT);
  });

  it('refuses a form without an assertion, and a JSON body, as invalid_request', async () => {
    const assertion = signAssertion(emulator, account, { nowMs: now });
    const json = JSON.stringify({ grant_type: JWT_GRANT, assertion });

    const missing = await readOAuthRefusal(await postToken(emulator, { grant_type: JWT_GRANT }));
    const asJson = await readOAuthRefusal(await postToken(emulator, json, 'application/json'));

    expect([missing.error, asJson.error]).toEqual(['invalid_request', 'invalid_request']);
    expect(asJson.error_description).toContain('x-www-form-urlencoded');
  });

  it('never quotes the assertion back in a refusal', async () => {
    const assertion = signAssertion(emulator, account, { nowMs: now, changes: { aud: 'x' } });

    const text = await (await requestGrant(assertion)).text();

    expect(text).not.toContain(assertion.split('.')[2]);
  });

  it('answers 405 to GET and takes no scripted faults', async () => {
    await callControl(emulator, 'POST', '/emulator/faults', { status: 503, count: 1 });

    const got = await fetch(emulator.tokenUrl);
    const granted = await requestGrant(signAssertion(emulator, account, { nowMs: now }));

    expect([got.status, granted.status]).toEqual([405, 200]);
    expect(got.headers.get('allow')).toBe('POST');
    const pending = await callControl(emulator, 'GET', '/emulator/faults');
    expect(await pending.json()).toEqual([{ status: 503, count: 1 }]);
  });
});
