import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { createServiceAccount } from '../../src/emulator/service-account.js';
import {
  fetchAccessToken,
  JWT_GRANT,
  postToken,
  readOAuthRefusal,
  readReason,
  readV1Error,
  sendV1,
  signAssertion,
  START,
  TEST_ACCOUNT,
} from './v1-helpers.js';

const account = TEST_ACCOUNT;
let emulator: RunningEmulator;
let now: number;

beforeEach(async () => {
  now = START;
  emulator = await startEmulator({ port: 0, clock: () => now, serviceAccounts: [account] });
});

afterEach(() => emulator.close());

describe('access token expiry', () => {
  it('answers 401 ACCESS_TOKEN_EXPIRED once the token lifetime has passed', async () => {
    const shortLived = await startEmulator({
      port: 0,
      clock: () => now,
      serviceAccounts: [account],
      tokenLifetimeSeconds: 120,
    });
    try {
      const device = shortLived.registerDevice({}).registration_id;
      const grant = await postToken(shortLived, {
        grant_type: JWT_GRANT,
        assertion: signAssertion(shortLived, account, { nowMs: now }),
      });
      const { access_token: token, expires_in: expiresIn } = (await grant.json()) as {
        access_token: string;
        expires_in: number;
      };
      now += 119_999;
      const before = await sendV1(shortLived, { message: { token: device } }, { token });
      now += 1;
      const after = await sendV1(shortLived, { message: { token: device } }, { token });

      expect(expiresIn).toBe(120);
      expect(before.status).toBe(200);
      const error = await readV1Error(after, 401);
      expect(error.status).toBe('UNAUTHENTICATED');
      expect(error.message).toMatch(/expired/);
      expect(readReason(error)).toBe('ACCESS_TOKEN_EXPIRED');
      expect(shortLived.messages()).toHaveLength(1);
    } finally {
      await shortLived.close();
    }
  });

  it('refuses a token lifetime outside 1 to 86400 seconds', async () => {
    await expect(startEmulator({ port: 0, tokenLifetimeSeconds: 0 })).rejects.toThrow(RangeError);
    await expect(startEmulator({ port: 0, tokenLifetimeSeconds: 1.5 })).rejects.toThrow(
      /1 to 86400/,
    );
  });
});

describe('trusted service accounts', () => {
  it('trusts an account added after start, such as one whose token_uri needs the port', async () => {
    const bare = await startEmulator({ port: 0, clock: () => now });
    try {
      const late = createServiceAccount({ tokenUri: bare.tokenUrl, projectId: 'late-project' });
      const before = await postToken(bare, {
        grant_type: JWT_GRANT,
        assertion: signAssertion(bare, late, { nowMs: now }),
      });
      bare.trustServiceAccount(late);
      const token = await fetchAccessToken(bare, late, now);
      const device = bare.registerDevice({}).registration_id;
      const sent = await sendV1(
        bare,
        { message: { token: device } },
        { token, project: 'late-project' },
      );

      expect(bare.tokenUrl).toBe(`${bare.origin}/token`);
      expect((await readOAuthRefusal(before)).error_description).toMatch(
        /no trusted service account/,
      );
      expect(sent.status).toBe(200);
    } finally {
      await bare.close();
    }
  });

  it('throws a one-line error for a key it cannot use, without quoting the key', () => {
    const noKey = { ...account, private_key: 'not a key' };

    expect(() => emulator.trustServiceAccount(noKey)).toThrow(
      /"private_key" is not an RSA private key/,
    );
    expect(() =>
      emulator.trustServiceAccount({ ...account, type: 'user' as 'service_account' }),
    ).toThrow(/"type"/);
    const message = (() => {
      try {
        emulator.trustServiceAccount({ ...account, client_email: '' });
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toMatch(/client_email/);
    expect(message).not.toContain('\n');
    expect(message).not.toContain('PRIVATE KEY');
  });

  it('refuses to start with an unusable service account', async () => {
    const broken = { ...account, private_key_id: undefined as unknown as string };

    await expect(startEmulator({ port: 0, serviceAccounts: [broken] })).rejects.toThrow(
      /private_key_id/,
    );
  });
});
