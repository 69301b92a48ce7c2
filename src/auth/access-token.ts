/**
 * OAuth 2.0 access tokens for FCM HTTP v1: a service account's signed JWT traded at its
 * token_uri, kept in memory and in a cache file so a run of sends, and the next run, reuse it.
 */
import { AuthError } from '../errors.js';
import { clipServerText, describeStatus } from '../protocols/json.js';
import type { HttpResponse, Transport } from '../transport/http.js';
import { NetworkError } from '../transport/http.js';
import { createAssertion, FCM_SCOPE } from './jwt.js';
import type { ServiceAccount } from './service-account.js';
import type { CachedToken } from './token-cache.js';
import { TokenCache } from './token-cache.js';

export { cacheDir } from './token-cache.js';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** A token is refreshed this long before it expires, so none expires mid-request. */
export const EXPIRY_MARGIN_MS = 60_000;

/** How long the token endpoint may take to answer. */
export const TOKEN_TIMEOUT_MS = 30_000;

const REFUSED_HINT =
  'check the service-account file (its key may have been deleted or disabled in the console) ' +
  "and this machine's clock: Google refuses a JWT whose times are off by minutes";

export interface TokenProvider {
  /**
   * A valid access token, from memory, the cache file or a new grant. Calls made while a grant
   * is under way share it. Throws `AuthError` when the grant is refused (and keeps throwing the
   * same error for the rest of the run), `NetworkError` when the endpoint cannot be reached or
   * answers 429/5xx.
   */
  get(): Promise<string>;
  /**
   * Drops `token` after the push service refused it, so the next `get()` fetches a new one.
   * Does nothing when a newer token has already replaced it, so many requests that failed with
   * the same token cause one new grant.
   */
  invalidate(token: string): Promise<void>;
}

export interface TokenProviderOptions {
  account: ServiceAccount;
  /** Carries the grant request; the same transport as the sends, so tests see it. */
  transport: Transport;
  /** The clock in ms since the epoch: JWT times and token expiry. */
  now: () => number;
  /** Where tokens are cached between runs; memory only when absent. See `cacheDir`. */
  cacheDir?: string;
  /** Told once, in one line, when the cache cannot be written; the send goes on regardless. */
  onWarning?: (message: string) => void;
  /** Bound on one grant request in ms; default `TOKEN_TIMEOUT_MS`. */
  timeoutMs?: number;
}

export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  const source = new TokenSource(options);
  return { get: () => source.get(), invalidate: (token) => source.invalidate(token) };
}

class TokenSource {
  private current: CachedToken | undefined;
  private pending: Promise<string> | undefined;
  private refused: AuthError | undefined;
  /** Tokens refused this run: a cache file another process has not updated may still hold one. */
  private readonly dropped = new Set<string>();
  private readonly cache: TokenCache | undefined;
  private readonly cacheKey: string;

  constructor(private readonly options: TokenProviderOptions) {
    const { account, cacheDir, now, onWarning } = options;
    this.cache = cacheDir === undefined ? undefined : new TokenCache(cacheDir, now, onWarning);
    // Two accounts, or one account at two token endpoints, must never share a token.
    this.cacheKey = `${account.clientEmail} ${account.tokenUri} ${FCM_SCOPE}`;
  }

  async get(): Promise<string> {
    if (this.refused !== undefined) throw this.refused;
    if (this.current !== undefined && this.isFresh(this.current)) return this.current.token;
    this.pending ??= this.obtain().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  async invalidate(token: string): Promise<void> {
    this.dropped.add(token);
    if (this.current?.token !== token) return;
    this.current = undefined;
    await this.cache?.remove(this.cacheKey, token);
  }

  private async obtain(): Promise<string> {
    const cached = await this.cache?.read(this.cacheKey);
    if (cached !== undefined && this.isFresh(cached) && !this.dropped.has(cached.token)) {
      this.current = cached;
      return cached.token;
    }
    try {
      this.current = await this.requestToken();
    } catch (error) {
      if (error instanceof AuthError) this.refused = error;
      throw error;
    }
    await this.cache?.write(this.cacheKey, this.current);
    return this.current.token;
  }

  private isFresh(entry: CachedToken): boolean {
    return this.options.now() < entry.refreshAt;
  }

  private async requestToken(): Promise<CachedToken> {
    const { account, transport, now } = this.options;
    const url = account.tokenUri;
    const started = now();
    const body = new URLSearchParams({
      grant_type: JWT_BEARER_GRANT,
      assertion: createAssertion(account, started),
    }).toString();
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
    const timeoutMs = this.options.timeoutMs ?? TOKEN_TIMEOUT_MS;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      controller.abort(new Error(`no answer within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    let response: HttpResponse;
    try {
      response = await transport.post({ url, headers, body }, controller.signal);
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
      throw new NetworkError(`token endpoint ${url}: ${error.message}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
    return readTokenResponse(response, { url, clientEmail: account.clientEmail, started });
  }
}

/**
 * The token endpoint's answer: a token with its expiry, or the error that says why not.
 * `started` is when the request left, so the expiry errs early rather than late.
 */
function readTokenResponse(
  response: HttpResponse,
  context: { url: string; clientEmail: string; started: number },
): CachedToken {
  const { url, clientEmail, started } = context;
  const status = response.status;
  const statusLine = describeStatus(response);
  // 429 and 5xx are the endpoint's own trouble: the engine retries them like a failed send.
  if (status === 429 || status >= 500) {
    throw new NetworkError(`token endpoint ${url} answered ${statusLine}`);
  }
  if (status === 400 || status === 401 || status === 403) {
    const reason = describeOAuthError(response.body) ?? statusLine;
    throw new AuthError(
      `the token endpoint ${url} refused the service account ${clientEmail}: ${reason}`,
      REFUSED_HINT,
    );
  }
  if (status !== 200) {
    throw new AuthError(
      `the token endpoint ${url} answered ${statusLine}`,
      'check "token_uri" in the service-account file',
    );
  }
  const token = parseTokenAnswer(response.body);
  if (typeof token === 'string') {
    throw new AuthError(
      `the token endpoint ${url} sent ${token} instead of an access token`,
      'check "token_uri" in the service-account file',
    );
  }
  const expiresAt = started + token.lifetimeMs;
  const margin = Math.min(EXPIRY_MARGIN_MS, token.lifetimeMs / 2);
  return { token: token.accessToken, expiresAt, refreshAt: expiresAt - margin };
}

/** The token and its lifetime, or a phrase saying what is wrong with the answer. */
function parseTokenAnswer(body: string): { accessToken: string; lifetimeMs: number } | string {
  let answer: unknown;
  try {
    answer = JSON.parse(body);
  } catch {
    return body.trim() === '' ? 'an empty answer' : 'an answer that is not JSON';
  }
  if (typeof answer !== 'object' || answer === null) return 'an answer that is not a JSON object';
  const fields = answer as Record<string, unknown>;
  const accessToken = fields.access_token;
  if (typeof accessToken !== 'string' || !/^[\x21-\x7e]+$/.test(accessToken)) {
    return 'an answer without a usable "access_token"';
  }
  const tokenType = fields.token_type;
  if (tokenType !== undefined && (typeof tokenType !== 'string' || !/^bearer$/i.test(tokenType))) {
    return 'a token that is not a Bearer token';
  }
  const seconds = readSeconds(fields.expires_in);
  if (seconds === undefined) return 'an answer without a usable "expires_in"';
  return { accessToken, lifetimeMs: seconds * 1000 };
}

/** A positive number of seconds; some endpoints send it as a string of digits. */
function readSeconds(value: unknown): number | undefined {
  const seconds = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0
    ? seconds
    : undefined;
}

/** `invalid_grant (Invalid JWT Signature.)` from an RFC 6749 error body; never the request. */
function describeOAuthError(body: string): string | undefined {
  let answer: unknown;
  try {
    answer = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof answer !== 'object' || answer === null) return undefined;
  const { error, error_description: description } = answer as Record<string, unknown>;
  if (typeof error !== 'string' || error === '') return undefined;
  const code = clipServerText(error, 60);
  return typeof description === 'string' && description.trim() !== ''
    ? `${code} (${clipServerText(description)})`
    : code;
}
