/**
 * The API key and the service account's private key never leak: every command and every error
 * path runs with sentinel secrets, and neither may appear whole in stdout, stderr, --verbose,
 * --json, --ndjson, or any file but the config. Files holding them are 0600 in 0700 folders.
 */
import { generateKeyPairSync } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import {
  createServiceAccount,
  type ServiceAccountKey,
} from '../../src/emulator/service-account.js';
import { runCli, type CliRun } from '../helpers/cli.js';

const SENTINEL_KEY = 'AIzaSyS3NT1NEL-api-key-0123456789abcdef';

let emulator: RunningEmulator;
let account: ServiceAccountKey;
let home: string;
let dirs: { config: string; cache: string; data: string };
let keyFile: string;
let forgedFile: string;
let device: string;
const runs: Array<{ args: string[]; run: CliRun }> = [];

/** The private key's base64 lines: any one of them in the output would be a leak. */
function privateKeyLines(pem: string): string[] {
  return pem.split('\n').filter((line) => line.length >= 40 && !line.startsWith('-----'));
}

function secretsIn(text: string): string[] {
  const found: string[] = [];
  if (text.includes(SENTINEL_KEY)) found.push('the API key');
  if (privateKeyLines(account.private_key).some((line) => text.includes(line))) {
    found.push('the private key');
  }
  if (text.includes(JSON.stringify(account.private_key).slice(1, 60))) {
    found.push('the private key, JSON-escaped');
  }
  return found;
}

async function cli(args: string[], extra: NodeJS.ProcessEnv = {}, input?: string) {
  const env = {
    HOME: home,
    GCMPUSH_CONFIG_DIR: dirs.config,
    GCMPUSH_CACHE_DIR: dirs.cache,
    GCMPUSH_DATA_DIR: dirs.data,
    ...extra,
  };
  const run = await runCli(args, { env, input });
  runs.push({ args, run });
  return run;
}

beforeAll(async () => {
  home = mkdtempSync(path.join(tmpdir(), 'gcmpush-secrets-'));
  dirs = {
    config: path.join(home, 'config'),
    cache: path.join(home, 'cache'),
    data: path.join(home, 'data'),
  };
  emulator = await startEmulator({ port: 0, keys: [SENTINEL_KEY] });
  account = createServiceAccount({ tokenUri: emulator.tokenUrl, projectId: 'secret-project' });
  emulator.trustServiceAccount(account);
  device = emulator.registerDevice({}).registration_id;
  mkdirSync(path.join(home, 'keys'), { mode: 0o700 });
  keyFile = path.join(home, 'keys', 'account.json');
  writeFileSync(keyFile, JSON.stringify(account), { mode: 0o600 });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  forgedFile = path.join(home, 'keys', 'forged.json');
  const forged = { ...account, private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }) };
  writeFileSync(forgedFile, JSON.stringify(forged), { mode: 0o600 });
  await runEveryCommand();
}, 120_000);

afterAll(() => emulator.close());

async function runEveryCommand() {
  const legacy = { GCMPUSH_ENDPOINT: emulator.url };
  const v1 = { GCMPUSH_ENDPOINT: emulator.origin };
  await cli(['key', 'set'], {}, `${SENTINEL_KEY}\n`);
  await cli(['key', 'set', SENTINEL_KEY]);
  await cli(['key', 'show']);
  await cli(['key', 'show'], { GCMPUSH_API_KEY: SENTINEL_KEY });
  await cli(['ids', 'add', 'phone', device]);
  await cli(['ids', 'add', 'phone', device]);
  await cli(['ids', 'list']);
  await cli(['ids', 'list', '--json']);
  await cli(['ids', 'rename', 'phone', 'pixel']);
  await cli(['account', 'set', keyFile]);
  await cli(['account', 'show']);
  await cli(['account', 'show'], { GOOGLE_APPLICATION_CREDENTIALS: keyFile });
  await cli(['account', 'set', path.join(home, 'missing.json')]);
  for (const output of [[], ['--json'], ['--ndjson']]) {
    await cli(['send', '--to', 'pixel', '--protocol', 'legacy', '--verbose', ...output], legacy);
    await cli(['send', '--to', 'pixel', '--protocol', 'v1', '--verbose', ...output], v1);
  }
  // The error paths: a rejected key, a refused JWT, an unreachable endpoint, bad input.
  await cli(['send', '--to', 'pixel', '--verbose', '--json'], {
    ...legacy,
    GCMPUSH_API_KEY: `${SENTINEL_KEY}-wrong`,
  });
  // A cache of its own, so the token cached by the sends above cannot stand in for the grant.
  await cli(['send', '--to', 'pixel', '--protocol', 'v1', '--verbose', '--json'], {
    ...v1,
    GOOGLE_APPLICATION_CREDENTIALS: forgedFile,
    GCMPUSH_CACHE_DIR: path.join(dirs.cache, 'forged'),
  });
  const gone = emulator.registerDevice({ behavior: 'not-registered' }).registration_id;
  await cli(['send', '--to', gone, '--protocol', 'v1', '--verbose', '--ndjson'], v1);
  await cli(['send', '--to', 'pixel', '--verbose', '--retries', '0'], {
    GCMPUSH_ENDPOINT: 'http://127.0.0.1:9/fcm/send',
  });
  await cli(['send', '--to', 'pixel', '--data', '{"broken":'], legacy);
  await cli(['send', '--to', 'nobody'], legacy);
  await cli(['send', '--to', 'pixel', '--protocol', 'v1', '--data', '{"nested":{"a":1}}'], v1);
  await cli(['send', '--emulator', '--to', 'pixel', '--verbose', '--json']);
  await cli(['send', '--emulator', '--protocol', 'v1', '--to', 'pixel', '--verbose']);
  await cli(['inbox', '--json'], legacy);
  await cli(['history']);
  const history = await cli(['history', '--json']);
  const [newest] = JSON.parse(history.stdout) as Array<{ send_id: string }>;
  await cli(['history', 'show', newest?.send_id ?? 'none', '--json']);
  await cli(['send', '--again', newest?.send_id ?? 'none', '--verbose'], legacy);
  await cli(['completion', 'bash']);
  await cli(['doctor', '--endpoint', emulator.url, '--timeout', '2']);
  await cli(['doctor', '--protocol', 'v1', '--endpoint', emulator.origin, '--json']);
  await cli(['doctor', '--json'], { ...legacy, GCMPUSH_API_KEY: SENTINEL_KEY });
  await cli(['--help']);
  await cli(['send', '--no-such-flag']);
  // A config file broken by hand around the key: the error names the place, not the text.
  const configFile = path.join(dirs.config, 'config.json');
  const config = readFileSync(configFile, 'utf8');
  writeFileSync(configFile, config.replace(`"${SENTINEL_KEY}"`, SENTINEL_KEY), { mode: 0o600 });
  await cli(['ids', 'list']);
  await cli(['key', 'show']);
  writeFileSync(configFile, config, { mode: 0o600 });
  await cli(['key', 'rm']);
  await cli(['account', 'rm']);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe('secrets', () => {
  it('ran every command it meant to, the failing ones included', () => {
    const codes = new Set(runs.map(({ run }) => run.code));
    expect(runs.length).toBeGreaterThanOrEqual(42);
    // 0 ok, 1 failed recipient, 2 bad input, 3 refused credentials, 4 unreachable.
    expect([...codes].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('never appear in stdout or stderr of any command', () => {
    const leaks = runs
      .map(({ args, run }) => ({ args, found: secretsIn(`${run.stdout}\n${run.stderr}`) }))
      .filter(({ found }) => found.length > 0);

    expect(leaks).toEqual([]);
  });

  it('are in no file but the config, whose file and folder are private', () => {
    const files = [...filesUnder(dirs.cache), ...filesUnder(dirs.data), ...filesUnder(dirs.config)];
    const leaking = files
      .filter((file) => path.basename(file) !== 'config.json')
      .filter((file) => secretsIn(readFileSync(file, 'utf8')).length > 0);

    expect(leaking).toEqual([]);
    expect(files.some((file) => file.endsWith('tokens.json'))).toBe(true);
    for (const file of files) expect(statSync(file).mode & 0o777).toBe(0o600);
    for (const dir of Object.values(dirs)) expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('show only their ends where they are shown at all', () => {
    const show = runs.find(({ args }) => args.join(' ') === 'key show');
    expect(show?.run.stdout).toContain(`${SENTINEL_KEY.slice(0, 4)}…${SENTINEL_KEY.slice(-4)}`);
  });
});
