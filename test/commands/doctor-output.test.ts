import { chmodSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { DoctorDocument } from '../../src/commands/doctor.js';
import { declareDoctor } from '../../src/program/doctor.js';
import { createTempStore } from '../helpers/config.js';
import {
  ACCOUNT,
  doctor,
  find,
  folders,
  KEY,
  keys,
  startServer,
  useLoopbackOnly,
} from '../helpers/doctor.js';
import { createTestIo } from '../helpers/io.js';
import { pemBodyLine, writeTempFile } from '../helpers/service-account.js';

useLoopbackOnly();

describe('doctor: output', () => {
  const NAMES = ['config', 'credentials', 'protocol', 'proxy', 'cache', 'history'];
  const ALL = [...NAMES, 'endpoint', 'clock'];

  it('prints one JSON document with every check in order, and nothing on stderr', async () => {
    const { url } = await startServer();
    const run = await doctor({ flags: { endpoint: url } });
    const document = JSON.parse(run.stdout) as DoctorDocument;
    expect(Object.keys(document)).toEqual(['ok', 'checks']);
    expect(document.ok).toBe(true);
    expect(document.checks.map((check) => check.name)).toEqual(ALL);
    for (const check of document.checks) {
      expect(['ok', 'warn', 'fail']).toContain(check.status);
      expect(Object.keys(check)).toEqual(
        check.hint === undefined
          ? ['name', 'status', 'detail']
          : ['name', 'status', 'detail', 'hint'],
      );
    }
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('sets ok false and exits 1 when a check fails; warnings alone exit 0', async () => {
    const { url } = await startServer(null);
    const warned = await doctor({ flags: { endpoint: url } });
    expect(find(warned, 'clock').status).toBe('warn');
    expect([warned.code, JSON.parse(warned.stdout).ok]).toEqual([0, true]);
    const failed = await doctor({ store: createTempStore(), flags: { endpoint: url } });
    expect([failed.code, JSON.parse(failed.stdout).ok]).toEqual([1, false]);
  });

  it('prints tab-separated rows on a pipe, and hints on stderr', async () => {
    const { url } = await startServer();
    const run = await doctor({ store: createTempStore(), flags: { endpoint: url, json: false } });
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.map((line) => line.split('\t').slice(0, 2).join(' '))).toEqual([
      'warn config',
      'fail credentials',
      'fail protocol',
      'ok proxy',
      'ok cache',
      'ok history',
      'ok endpoint',
      'ok clock',
    ]);
    expect(lines.every((line) => line.split('\t').length === 3)).toBe(true);
    // credentials and protocol fail for one reason, with one hint.
    expect(run.stderr).toBe(
      'hint: credentials: for FCM v1 run `gcmpush account set FILE` ' +
        '(or set GOOGLE_APPLICATION_CREDENTIALS); for legacy run `gcmpush key set`\n',
    );
    expect(run.code).toBe(1);
  });

  it('prints an aligned table on a terminal, each status coloured beside its word', async () => {
    const { url } = await startServer();
    const store = createTempStore();
    const run = await doctor({
      store,
      flags: { endpoint: url, json: false },
      tty: true,
      color: true,
    });
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('STATUS  CHECK        DETAIL');
    expect(lines[1]).toBe(`\u001b[33mwarn  \u001b[39m  config       no config yet (${store.file})`);
    expect(lines[2]).toMatch(/^\u001b\[31mfail {2}\u001b\[39m {2}credentials /);
    expect(lines[4]).toMatch(/^\u001b\[32mok {4}\u001b\[39m {2}proxy /);
  });

  it('prints no colour when colour is off', async () => {
    const { url } = await startServer();
    const run = await doctor({ flags: { endpoint: url, json: false }, tty: true });
    expect(run.stdout).not.toContain('\u001b[');
    expect(run.stdout.split('\n')[1]).toMatch(/^ok {6}config {7}/);
  });
});

describe('doctor: secrets', () => {
  it('never prints the key, the private key or a proxy password whole', async () => {
    const { url, seen } = await startServer();
    const file = writeTempFile(ACCOUNT);
    const store = createTempStore({ api_key: KEY, service_account: ACCOUNT });
    chmodSync(store.file, 0o644);
    const env = {
      GCMPUSH_API_KEY: KEY,
      GOOGLE_APPLICATION_CREDENTIALS: file,
      HTTP_PROXY: 'http://alice:pr0xy-s3cret@proxy.example:3128',
      NO_PROXY: '127.0.0.1',
    };
    const outputs: string[] = [];
    for (const protocol of ['legacy', 'v1']) {
      for (const mode of [{ json: true }, { json: false }, { json: false, tty: true }]) {
        const flags = { endpoint: url, protocol, json: mode.json };
        const run = await doctor({ store, env, flags, tty: mode.tty });
        outputs.push(run.stdout, run.stderr);
      }
    }
    outputs.push(JSON.stringify(seen));
    const all = outputs.join('\n');
    expect(all).toContain('AIza…cdef');
    for (const secret of [KEY, pemBodyLine(keys.privatePem), 'PRIVATE KEY', 'pr0xy-s3cret']) {
      expect(all).not.toContain(secret);
    }
  });
});

describe('doctor: the command', () => {
  it('passes its flags to the checks and returns their exit code', async () => {
    const { url } = await startServer();
    const { io, stdout } = createTestIo({ env: folders() });
    const store = createTempStore();
    let exitCode: number | void = undefined;
    const program = new Command('gcmpush').exitOverride();
    declareDoctor(program, {
      run: async (task) => void (exitCode = await task()),
      io: () => io,
      store: async () => store,
    });
    await program.parseAsync(['doctor', '--endpoint', url, '--protocol', 'v1', '--json'], {
      from: 'user',
    });
    const document = JSON.parse(stdout()) as DoctorDocument;
    expect(document.checks.find((check) => check.name === 'protocol')?.detail).toBe(
      'no service account is set',
    );
    expect(document.checks.find((check) => check.name === 'endpoint')?.detail).toContain(url);
    expect(exitCode).toBe(1);
  });

  it('shows examples in its help', () => {
    const program = new Command('gcmpush');
    const noop = {
      run: async () => undefined,
      io: () => createTestIo().io,
      store: async () => createTempStore(),
    };
    declareDoctor(program, noop);
    const doctorCommand = program.commands.find((command) => command.name() === 'doctor');
    let help = '';
    doctorCommand?.configureOutput({ writeOut: (text) => (help += text) }).outputHelp();
    expect(help).toContain('Examples:\n  gcmpush doctor\n');
    expect(help).toContain('--timeout <seconds>');
  });
});
