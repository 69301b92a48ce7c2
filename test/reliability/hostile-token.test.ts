/**
 * The token endpoint's answer under hostile bodies (issue 6), through createTokenProvider with a
 * transport that answers every grant itself: a usable token, or a clean AuthError or
 * NetworkError whose message never holds the JWT assertion the request carried.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTokenProvider } from '../../src/auth/access-token.js';
import { validateServiceAccount } from '../../src/auth/service-account.js';
import { AuthError } from '../../src/errors.js';
import type { HttpRequest, Transport } from '../../src/transport/http.js';
import { NetworkError } from '../../src/transport/http.js';
import { accountJson, createTestKeys } from '../helpers/service-account.js';
import {
  ASSERTION_ECHO,
  FAST_CHECK_SEED,
  hostileBody,
  hostileText,
  tokenAnswer,
} from './hostile-bodies.js';
import { expectCleanLine, NOW, response, status } from './hostile-checks.js';

describe('the token endpoint answer, through createTokenProvider', () => {
  const keys = createTestKeys();
  const account = validateServiceAccount(
    accountJson(keys.privatePem, { token_uri: 'https://oauth.test/token' }),
    'test',
  );

  /** Answers every grant with `body`, the request's own assertion put in where it asks. */
  function answering(code: number, reason: string, body: string, seen: string[]): Transport {
    return {
      post: async (request: HttpRequest) => {
        const assertion = new URLSearchParams(request.body).get('assertion') ?? '';
        seen.push(assertion);
        return response(code, reason, body.replaceAll(ASSERTION_ECHO, assertion));
      },
      close: async () => {},
    };
  }

  it('gives a usable token or a clean AuthError or NetworkError, never the assertion', async () => {
    await fc.assert(
      fc.asyncProperty(
        status,
        hostileText,
        hostileBody(tokenAnswer),
        async (code, reason, body) => {
          const seen: string[] = [];
          const transport = answering(code, reason, body, seen);
          const provider = createTokenProvider({ account, transport, now: () => NOW });
          try {
            expect(await provider.get()).toMatch(/^[\x21-\x7e]+$/);
          } catch (error) {
            expect(error instanceof AuthError || error instanceof NetworkError).toBe(true);
            expectCleanLine((error as Error).message, seen);
          }
        },
      ),
      { seed: FAST_CHECK_SEED, numRuns: 400 },
    );
  });

  it('refuses a token_type that is an object with its own toString', async () => {
    const body = '{"access_token":"ya29.x","token_type":{"toString":1},"expires_in":3600}';
    const provider = createTokenProvider({
      account,
      transport: answering(200, 'OK', body, []),
      now: () => NOW,
    });

    await expect(provider.get()).rejects.toThrow(AuthError);
  });
});
