/**
 * `gcmpush doctor`: checks the setup a send depends on, one line per check, in the order a send
 * meets them: config, credentials, protocol, proxy, folders, then one request to the endpoint
 * for reachability and clock skew. It reads and never writes: no config, cache or history.
 */
import { Chalk } from 'chalk';
import type { ConfigStore } from '../config/store.js';
import type { Io } from '../output/streams.js';
import { formatTable } from '../output/table.js';
import {
  checkCache,
  checkConfig,
  checkCredentials,
  checkHistory,
  inspectRoute,
} from './doctor-checks.js';
import { checkProxy, probeEndpoint } from './doctor-network.js';
import { parseEndpoint, parseLimits, toSendFlags } from './send-input.js';
import type { SendFlags } from './send-input.js';
import { checkProtocol } from './send-route.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One line of the report. `detail` and `hint` never hold a whole secret. */
export interface CheckResult {
  /** Short and stable, for scripts: `config`, `credentials`, `protocol`, `proxy`, ... */
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do about a warn or fail. */
  hint?: string;
}

/** What `--json` prints: `ok` is false when any check failed; warnings leave it true. */
export interface DoctorDocument {
  ok: boolean;
  checks: CheckResult[];
}

/** The flags of `doctor` as commander hands them over; the first four mean what they do on send. */
export interface DoctorFlags {
  protocol?: string;
  endpoint?: string;
  project?: string;
  /** Seconds the endpoint may take to answer; default `DEFAULT_TIMEOUT_SECONDS`. */
  timeout?: string;
  json: boolean;
}

export interface DoctorDeps {
  store: ConfigStore;
  /** The local clock in ms since the epoch, compared with the endpoint's; default Date.now. */
  now?: () => number;
  /** Decides whether file modes are checked; default process.platform. */
  platform?: NodeJS.Platform;
}

export const DEFAULT_TIMEOUT_SECONDS = '10';

const HEADER = ['STATUS', 'CHECK', 'DETAIL'];

/** Runs every check and prints the report; exit 1 when a check failed, else 0. */
export async function runDoctor(flags: DoctorFlags, io: Io, deps: DoctorDeps): Promise<number> {
  const checked = readFlags(flags);
  const checks = await runChecks(checked, io.env, deps);
  const document = buildDoctorDocument(checks);
  if (flags.json) {
    io.out(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    io.out(renderChecks(checks, io));
    io.err(renderHints(checks));
  }
  return document.ok ? 0 : 1;
}

/** doctor's own bad flags are usage errors (exit 2), found before anything is checked. */
function readFlags(flags: DoctorFlags): { sendFlags: SendFlags; timeoutMs: number } {
  checkProtocol(flags.protocol);
  if (flags.endpoint !== undefined) parseEndpoint(flags.endpoint);
  // send's own parsing, so the flags mean the same and are refused in the same words.
  const sendFlags = toSendFlags({
    protocol: flags.protocol,
    endpoint: flags.endpoint,
    project: flags.project,
    timeout: flags.timeout ?? DEFAULT_TIMEOUT_SECONDS,
  });
  return { sendFlags, timeoutMs: parseLimits(sendFlags).timeoutMs };
}

async function runChecks(
  flags: { sendFlags: SendFlags; timeoutMs: number },
  env: NodeJS.ProcessEnv,
  deps: DoctorDeps,
): Promise<CheckResult[]> {
  const { store } = deps;
  const route = inspectRoute(flags.sendFlags, env, store);
  const local = [
    checkConfig(store, deps.platform ?? process.platform),
    checkCredentials(store, env),
    route.result,
    checkProxy(route.target, env),
    checkCache(env),
    checkHistory(env),
  ];
  const network = await probeEndpoint(route.target, {
    timeoutMs: flags.timeoutMs,
    now: deps.now ?? Date.now,
    http2: route.protocol === 'v1',
    env,
  });
  return [...local, ...network];
}

/** The `--json` document. */
export function buildDoctorDocument(checks: CheckResult[]): DoctorDocument {
  return { ok: checks.every((check) => check.status !== 'fail'), checks };
}

/** A table on a terminal (status coloured beside its word), tab-separated rows on a pipe. */
export function renderChecks(checks: CheckResult[], io: Io): string {
  const chalk = new Chalk({ level: io.colorOut ? 1 : 0 });
  const colours = { ok: chalk.green, warn: chalk.yellow, fail: chalk.red };
  const rows = checks.map((check) => [check.status, check.name, oneLine(check.detail)]);
  const paint = (row: number, column: number, text: string) => {
    const status = checks[row]?.status;
    return column === 0 && status !== undefined ? colours[status](text) : text;
  };
  return formatTable(HEADER, rows, { tty: io.stdoutIsTTY, paint });
}

/** `hint: CHECK: what to do` lines; two checks failing for one reason share one line. */
export function renderHints(checks: CheckResult[]): string {
  const hints = new Map<string, string>();
  for (const { hint, name } of checks) if (hint && !hints.has(hint)) hints.set(hint, name);
  return [...hints].map(([hint, name]) => `hint: ${name}: ${hint}\n`).join('');
}

/** A detail may quote an error or a path; a tab or newline in it would break the row. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}
