/**
 * Which protocol carries a send, to which URL, with which credentials: the legacy API key or
 * an FCM v1 service account. The rest of `send` is the same whichever is chosen.
 */
import type { ServiceAccount } from '../auth/service-account.js';
import type { ConfigStore } from '../config/store.js';
import { UsageError } from '../errors.js';
import { maskSecret } from '../output/mask.js';
import type { Io } from '../output/streams.js';
import { DEFAULT_LEGACY_ENDPOINT } from '../protocols/gcm-legacy.js';
import type { Protocol, PushMessage } from '../protocols/types.js';
import type { Transport } from '../transport/http.js';
import { CREDENTIALS_ENV, resolveServiceAccount } from './account.js';
import { API_KEY_ENV, resolveApiKey } from './key.js';
import type { SendFlags } from './send-input.js';
import { resolveLegacyEndpoint } from './send-input.js';

export type SendRoute =
  | {
      protocol: 'legacy';
      /** The send URL, path included. */
      endpoint: string;
      apiKey: string;
      /** Where the key came from, for --verbose. */
      keySource: string;
    }
  | {
      protocol: 'v1';
      /** Any URL on the host; only its origin is used. */
      endpoint?: string;
      projectId: string;
      account: ServiceAccount;
      /** Where the account came from, for --verbose. */
      accountSource: string;
      /** Keep tokens in the cache folder between runs; off for a throwaway emulator's account. */
      cacheTokens?: boolean;
    };

/** Requests in flight at once when --concurrency is not given. */
export const DEFAULT_CONCURRENCY = { legacy: 4, v1: 100 } as const;

/**
 * `--protocol`, or by default v1 when a service account is configured and no legacy key is,
 * legacy otherwise.
 */
export function chooseRoute(
  flags: SendFlags,
  env: NodeJS.ProcessEnv,
  store: ConfigStore,
): SendRoute {
  const protocol = flags.protocol;
  if (protocol !== undefined && protocol !== 'legacy' && protocol !== 'v1') {
    throw new UsageError(`invalid --protocol ${JSON.stringify(protocol)}`, 'use legacy or v1');
  }
  const apiKey = protocol === 'v1' ? undefined : resolveApiKey(store, env);
  const endpoint = flags.endpoint ?? env.GCMPUSH_ENDPOINT;
  if (protocol === 'legacy' || apiKey !== undefined) {
    if (apiKey === undefined) {
      throw new UsageError('no API key is set', `run \`gcmpush key set\`, or set ${API_KEY_ENV}`);
    }
    return {
      protocol: 'legacy',
      endpoint: resolveLegacyEndpoint(endpoint ?? DEFAULT_LEGACY_ENDPOINT),
      apiKey: apiKey.key,
      keySource: apiKey.source === 'env' ? API_KEY_ENV : store.file,
    };
  }
  const resolved = resolveServiceAccount(store, env);
  if (resolved === undefined) {
    throw new UsageError(
      protocol === 'v1' ? 'no service account is set' : 'no API key or service account is set',
      'for FCM v1 run `gcmpush account set FILE` (or set GOOGLE_APPLICATION_CREDENTIALS); ' +
        'for legacy run `gcmpush key set`',
    );
  }
  const source = resolved.source === 'env' ? `${CREDENTIALS_ENV}=${resolved.location}` : store.file;
  return {
    protocol: 'v1',
    endpoint,
    projectId: flags.project ?? resolved.account.projectId,
    account: resolved.account,
    accountSource: source,
  };
}

/** `--protocol`, checked. */
export function checkProtocol(value: string | undefined): 'legacy' | 'v1' | undefined {
  if (value === undefined || value === 'legacy' || value === 'v1') return value;
  throw new UsageError(`invalid --protocol ${JSON.stringify(value)}`, 'use legacy or v1');
}

/** `--verbose`'s first line: which protocol, and with what, never the secret itself. */
export function describeRoute(route: SendRoute): string {
  if (route.protocol === 'legacy') {
    const key = `key ${maskSecret(route.apiKey)} from ${route.keySource}`;
    return `protocol: legacy, ${route.endpoint}, ${key}\n`;
  }
  return (
    `protocol: v1, project ${route.projectId}, service account ${route.account.clientEmail} ` +
    `from ${route.accountSource}\n`
  );
}

/** The protocol object for a route; throws a UsageError for a message the protocol refuses. */
export async function createProtocol(
  route: SendRoute,
  message: PushMessage,
  runtime: { transport: Transport; now: () => number; io: Io },
): Promise<Protocol> {
  if (route.protocol === 'legacy') {
    const { createLegacyProtocol } = await import('../protocols/gcm-legacy.js');
    return createLegacyProtocol({ endpoint: route.endpoint, apiKey: route.apiKey, message });
  }
  const [{ createTokenProvider, cacheDir }, { createFcmV1Protocol, convertV1Data }] =
    await Promise.all([import('../auth/access-token.js'), import('../protocols/fcm-v1.js')]);
  const { io } = runtime;
  const tokens = createTokenProvider({
    account: route.account,
    transport: runtime.transport,
    now: runtime.now,
    cacheDir: route.cacheTokens === false ? undefined : cacheDir(io.env),
    onWarning: (warning) => io.err(`warning: ${warning}\n`),
  });
  const protocol = createFcmV1Protocol({
    endpoint: route.endpoint,
    projectId: route.projectId,
    message,
    tokens,
  });
  const converted = message.data === undefined ? [] : convertV1Data(message.data).converted;
  if (converted.length > 0) {
    io.err(`note: FCM v1 data values are strings; sent ${converted.join(', ')} as JSON text\n`);
  }
  return protocol;
}
