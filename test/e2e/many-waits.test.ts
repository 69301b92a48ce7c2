/**
 * A large send against a failing server puts many batches in back-off at once, each waiting on
 * the one Ctrl-C signal. That is by design, and must not make Node warn about a listener leak.
 */
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('a send whose batches all wait in back-off at once', () => {
  it('waits quietly: no listener-leak warning, one final result each', async () => {
    let requests = 0;
    const server = createServer((request, response) => {
      requests++;
      request.resume();
      response.statusCode = 503;
      response.end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const home = mkdtempSync(path.join(tmpdir(), 'gcmpush-waits-'));
    const file = path.join(home, 'ids.txt');
    // 15 requests of 1000: more waiting batches than Node's default of 10 listeners.
    const ids = Array.from({ length: 15_000 }, (_, index) => `device:${index}`);
    writeFileSync(file, `${ids.join('\n')}\n`);
    try {
      const run = await runCli(
        // The table keeps results in order, so up to 50,000 recipients may be out at once.
        ['send', '--to-file', file, '--data', '{"n":"1"}', '--retries', '1'],
        {
          env: {
            GCMPUSH_CONFIG_DIR: path.join(home, 'config'),
            GCMPUSH_DATA_DIR: path.join(home, 'data'),
            GCMPUSH_API_KEY: 'many-waits-key',
            GCMPUSH_ENDPOINT: `http://127.0.0.1:${port}/fcm/send`,
          },
          timeoutMs: 30_000,
        },
      );
      expect(run.stderr).not.toMatch(/Warning/);
      expect(run.code).toBe(4);
      const lines = run.stdout.trim().split('\n');
      expect(lines).toHaveLength(15_000);
      expect(lines.every((line) => line.split('\t')[1] === 'failed')).toBe(true);
      expect(requests).toBe(30);
    } finally {
      server.close();
    }
  }, 40_000);
});
