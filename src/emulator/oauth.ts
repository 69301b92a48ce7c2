/**
 * `POST /token`: Google's service-account grant (protocol.md 2.2). A form with a JWT signed by
 * a trusted key comes back as a bearer token for FCM v1 sends; anything else as an OAuth error.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { accept, refuse, type JsonObject, type Parsed } from './checks.js';
import type { TrustedKey } from './credentials.js';
import { replyJson, type Reply } from './http.js';
import { checkAssertionTimes, decodeJwt, verifyRs256, type DecodedJwt } from './jwt-verify.js';
import type { Route, RouteRequest } from './routes.js';
import type { EmulatorState } from './state.js';

/** The `error` codes of RFC 6749 5.2 that Google's token endpoint answers with. */
type OAuthErrorCode =
  'invalid_request' | 'unsupported_grant_type' | 'invalid_grant' | 'invalid_scope';

const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Either scope lets a token send FCM messages. */
export const FCM_SCOPES = [
  'https://www.googleapis.com/auth/firebase.messaging',
  'https://www.googleapis.com/auth/cloud-platform',
] as const;
// Token answers must not be cached by anything in between (RFC 6749 5.1).
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

function replyOAuth(status: number, value: object): Reply {
  const reply = replyJson(status, value);
  return { ...reply, headers: { ...reply.headers, ...NO_STORE } };
}

function replyOAuthError(error: OAuthErrorCode, description: string): Reply {
  return replyOAuth(400, { error, error_description: description });
}

function isFormRequest(headers: IncomingHttpHeaders): boolean {
  const type = headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  return type === 'application/x-www-form-urlencoded';
}

/**
 * The audiences a JWT may name: this run's `<origin>/token`, the same path on the host the
 * request was addressed to (they differ when bound to 0.0.0.0 or reached as `localhost`), and
 * the `token_uri` of the signing key's file, which may name the port of an earlier run.
 */
function listAudiences(
  state: EmulatorState,
  headers: IncomingHttpHeaders,
  key: TrustedKey,
): string[] {
  const audiences = [state.readTokenUrl()];
  if (headers.host !== undefined) audiences.push(`http://${headers.host}/token`);
  if (key.tokenUri !== undefined) audiences.push(key.tokenUri);
  return audiences;
}

/** Finds the trusted key whose signature the JWT carries, by `iss` and, if given, `kid`. */
function findSigner(state: EmulatorState, jwt: DecodedJwt): Parsed<TrustedKey> {
  const { alg, kid } = jwt.header;
  if (alg !== 'RS256') return refuse(`the JWT "alg" must be "RS256", not ${JSON.stringify(alg)}`);
  if (kid !== undefined && typeof kid !== 'string') return refuse('the JWT "kid" must be a string');
  const { iss } = jwt.claims;
  if (typeof iss !== 'string') return refuse('the JWT has no "iss" claim naming the client_email');
  const keys = state.accounts.find(iss, kid);
  if (keys.length === 0) {
    const which = kid === undefined ? '' : ` with private_key_id "${kid}"`;
    return refuse(`no trusted service account ${JSON.stringify(iss)}${which}`);
  }
  const signer = keys.find((key) => verifyRs256(jwt, key.publicKey));
  if (signer === undefined) return refuse(`the JWT signature does not verify for ${iss}`);
  return accept(signer);
}

/** Checks everything but the scope: shape, signer, audience and times. */
function verifyAssertion(
  request: RouteRequest,
  assertion: string,
): Parsed<{ key: TrustedKey; claims: JsonObject }> {
  const { state, headers } = request;
  const jwt = decodeJwt(assertion);
  if (!jwt.ok) return jwt;
  const signer = findSigner(state, jwt.value);
  if (!signer.ok) return signer;
  const { claims } = jwt.value;
  const audiences = listAudiences(state, headers, signer.value);
  if (typeof claims.aud !== 'string' || !audiences.includes(claims.aud)) {
    const given = JSON.stringify(claims.aud);
    return refuse(`the JWT "aud" must be ${state.readTokenUrl()}, not ${given}`);
  }
  const times = checkAssertionTimes(claims, state.readClock() / 1000);
  if (!times.ok) return times;
  return accept({ key: signer.value, claims });
}

function hasFcmScope(scope: unknown): boolean {
  if (typeof scope !== 'string') return false;
  return scope.split(' ').some((name) => (FCM_SCOPES as readonly string[]).includes(name));
}

function serveToken(request: RouteRequest): Reply {
  if (!isFormRequest(request.headers)) {
    const why = 'send the grant as application/x-www-form-urlencoded';
    return replyOAuthError('invalid_request', why);
  }
  const form = new URLSearchParams(request.body);
  const grantType = form.get('grant_type');
  if (grantType !== JWT_BEARER_GRANT) {
    const given = grantType === null ? 'missing' : JSON.stringify(grantType);
    const why = `grant_type is ${given}; use ${JWT_BEARER_GRANT}`;
    return replyOAuthError('unsupported_grant_type', why);
  }
  const assertion = form.get('assertion');
  if (assertion === null || assertion === '') {
    return replyOAuthError('invalid_request', 'the "assertion" with the signed JWT is missing');
  }
  const verified = verifyAssertion(request, assertion);
  if (!verified.ok) return replyOAuthError('invalid_grant', verified.error);
  if (!hasFcmScope(verified.value.claims.scope)) {
    const why = `the JWT "scope" must include ${FCM_SCOPES.join(' or ')}`;
    return replyOAuthError('invalid_scope', why);
  }
  const issued = request.state.accessTokens.issue(verified.value.key);
  return replyOAuth(200, {
    access_token: issued.accessToken,
    expires_in: issued.expiresIn,
    token_type: 'Bearer',
  });
}

/** The token endpoint; like the control API it never takes scripted faults. */
export const TOKEN_ROUTES: readonly Route[] = [
  { pattern: /^\/token$/, takesFaults: false, handlers: { POST: serveToken } },
];
