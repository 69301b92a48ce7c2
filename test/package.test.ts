/**
 * The package as npm would publish it: packed, installed into a temporary prefix, and run from
 * there. A file left out of "files", or a module the bundle loads at run time that
 * "dependencies" does not list, fails here instead of on a user's machine.
 *
 * The install is offline, so the test sends nothing to the registry: the temporary project's
 * lockfile pins the tarball by its integrity and the dependencies at the versions of this
 * repo's own lockfile, whose tarballs `npm ci` has just put in npm's cache.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const execute = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};
const REGISTRATION_ID = 'cXk2_9aB3dE:APA91bPackageTestRegistrationId0123456789';

interface LockEntry {
  dev?: boolean;
  [field: string]: unknown;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let work: string;
let tarball: string;
let installedBin: string;
let userEnv: NodeJS.ProcessEnv;

/**
 * npm's own settings for the child npm runs: the real user's cache (test/setup.ts moved HOME,
 * and the dependencies are already cached there by `npm ci`), logs kept in the temp folder,
 * and none of the `npm_*` variables of an enclosing `npm test`, which would steer the child.
 */
async function npmEnvironment(): Promise<NodeJS.ProcessEnv> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^npm_/i.test(name) || /^npm_config_(cache|registry|userconfig)$/i.test(name),
    ),
  );
  const realHome = userInfo().homedir;
  env.npm_config_userconfig ??= path.join(realHome, '.npmrc');
  const { stdout } = await execute('npm', ['config', 'get', 'cache'], {
    env: { ...env, HOME: realHome },
  });
  return {
    ...env,
    npm_config_cache: stdout.trim(),
    npm_config_logs_dir: path.join(work, 'npm-logs'),
    npm_config_update_notifier: 'false',
  };
}

/** Runs the installed `gcmpush` the way a shell would, through its bin link and shebang. */
function runInstalled(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(installedBin, args, { env: userEnv, timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The packages that dist/ imports or requires by name, which esbuild left out of the bundle. */
function listExternalPackages(dist: string): string[] {
  const patterns = [
    /(?:^|[\s}])(?:from|import)\s*"([^"]+)"/gm,
    /\bimport\(\s*"([^"]+)"\s*\)/g,
    // Not a require() inside a string or template: ajv keeps some as code text it never runs.
    /(?<![\w$.'"`])require\(\s*"([^"]+)"\s*\)/g,
  ];
  const names = new Set<string>();
  const files = readdirSync(dist, { recursive: true, encoding: 'utf8' });
  for (const file of files.filter((name) => name.endsWith('.js'))) {
    const text = readFileSync(path.join(dist, file), 'utf8');
    for (const match of patterns.flatMap((pattern) => [...text.matchAll(pattern)])) {
      const specifier = match[1] ?? '';
      if (specifier.startsWith('.') || isBuiltin(specifier)) continue;
      const parts = specifier.split('/');
      names.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? ''));
    }
  }
  return [...names].sort();
}

/**
 * A project that depends on nothing but the tarball, with a lockfile npm can install from its
 * cache alone: the tarball's entry, then every entry of this repo's lockfile that is not for
 * development only, which is exactly the tree the tarball's dependencies need.
 */
function writeInstallProject(dir: string, tgz: string, integrity: string): void {
  mkdirSync(dir);
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const root = lock.packages[''] ?? {};
  const spec = `file:${tgz}`;
  const project = { name: 'gcmpush-install-check', version: '1.0.0', private: true };
  const packages: Record<string, LockEntry> = {
    '': { ...project, dependencies: { gcmpush: spec } },
    'node_modules/gcmpush': {
      version: manifest.version,
      resolved: spec,
      integrity,
      license: root.license,
      dependencies: manifest.dependencies,
      bin: root.bin,
      engines: root.engines,
    },
  };
  for (const [key, entry] of Object.entries(lock.packages)) {
    if (key.startsWith('node_modules/') && entry.dev !== true) packages[key] = entry;
  }
  const lockfile = { ...project, lockfileVersion: 3, requires: true, packages };
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(packages[''], null, 2));
  writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(lockfile, null, 2));
}

// The pack and the install take several seconds, more while the rest of the suite runs.
beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'gcmpush-package-'));
  const npmEnv = await npmEnvironment();
  const packs = path.join(work, 'packs');
  mkdirSync(packs);
  // `npm test` has just built dist/; rebuilding it here would swap it under the other tests.
  const packed = await execute(
    'npm',
    ['pack', '--ignore-scripts', '--json', '--pack-destination', packs],
    { cwd: ROOT, env: npmEnv },
  );
  const [{ filename, integrity }] = JSON.parse(packed.stdout) as [
    { filename: string; integrity: string },
  ];
  tarball = path.join(packs, filename);
  const prefix = path.join(work, 'prefix');
  writeInstallProject(prefix, tarball, integrity);
  await execute('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: prefix,
    env: npmEnv,
  });
  installedBin = path.join(prefix, 'node_modules', '.bin', 'gcmpush');
  const home = path.join(work, 'home');
  userEnv = {
    PATH: process.env.PATH,
    HOME: home,
    GCMPUSH_CONFIG_DIR: path.join(home, 'config'),
    GCMPUSH_DATA_DIR: path.join(home, 'data'),
    GCMPUSH_CACHE_DIR: path.join(home, 'cache'),
  };
}, 120_000);

describe('the packed package', () => {
  it('ships only package.json, LICENSE, README.md, bin/ and dist/', async () => {
    const { stdout } = await execute('tar', ['-tzf', tarball]);
    const entries = stdout.split('\n').filter(Boolean);
    const shipped = /^package\/(package\.json|LICENSE|README\.md|bin\/.+|dist\/.+)$/;
    expect(entries.filter((entry) => !shipped.test(entry))).toEqual([]);
    for (const needed of ['package.json', 'LICENSE', 'README.md', 'bin/gcmpush.js', 'dist/cli.js'])
      expect(entries).toContain(`package/${needed}`);
  });

  it('lists as dependencies every package the bundle leaves external', () => {
    const external = listExternalPackages(path.join(ROOT, 'dist'));
    expect(external.length).toBeGreaterThan(0);
    expect(external.filter((name) => !(name in manifest.dependencies))).toEqual([]);
  });
});

describe('gcmpush installed from the tarball', () => {
  it('prints the version of package.json', async () => {
    const run = await runInstalled(['--version']);
    expect(run).toMatchObject({ code: 0, stdout: `${manifest.version}\n` });
  });

  it('sends through a throwaway emulator and records the send', async () => {
    const send = ['send', '--emulator', '--to', 'phone1', '--data', '{"msg":"hi"}'];
    const run = await runInstalled(send);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^phone1\tok\t\S+/m);

    const history = await runInstalled(['history', '--json']);
    expect(history.code).toBe(0);
    expect(JSON.parse(history.stdout)).toHaveLength(1);
  });

  it('writes the config under its lock and reads it back', async () => {
    const added = await runInstalled(['ids', 'add', 'tablet', REGISTRATION_ID]);
    expect(added).toMatchObject({ code: 0, stdout: '' });
    const listed = await runInstalled(['ids', 'list', '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      { name: 'tablet', registration_id: REGISTRATION_ID },
    ]);
  });

  it('runs doctor, which reports an endpoint that does not answer and exits 1', async () => {
    const run = await runInstalled([
      'doctor',
      '--json',
      '--endpoint',
      'http://127.0.0.1:9/fcm/send',
      '--timeout',
      '2',
    ]);
    expect(run.code, run.stderr).toBe(1);
    const document = JSON.parse(run.stdout) as { ok: boolean; checks: { name: string }[] };
    expect(document.ok).toBe(false);
    expect(document.checks.map((check) => check.name)).toContain('endpoint');
  });

  it('shows help with examples, exit codes and environment variables', async () => {
    const run = await runInstalled(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Exit codes:/);
    expect(run.stdout).toMatch(/GCMPUSH_API_KEY/);
    const send = await runInstalled(['send', '--help']);
    expect(send.stdout).toMatch(/Examples:\n {2}gcmpush send /);
  });

  it('prints a completion script built from the command tree', async () => {
    const run = await runInstalled(['completion', 'bash']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('rename');
  });
});
