import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendHistory } from '../../src/history/log.js';
import {
  HISTORY_BOUNDS,
  ResultKeeper,
  TargetKeeper,
  buildHistoryRecord,
  endpointHost,
} from '../../src/history/record.js';
import { PHONE, TABLET, report, result, sampleInput, tempDataDir } from './helpers.js';

describe('buildHistoryRecord', () => {
  it('records a send as the documented snake_case shape', () => {
    expect(buildHistoryRecord(sampleInput())).toEqual({
      send_id: '0193a5f2-7c1e-7abc-8def-0123456789ab',
      time: '2024-05-01T14:03:22.250Z',
      duration_ms: 1200,
      protocol: 'legacy',
      endpoint_host: 'fcm.googleapis.com',
      targets: ['phone', 'tablet'],
      options: { dry_run: false, retries: 5, timeout_ms: 60_000 },
      message: { data: { msg: 'hi' }, notification: { title: 'Hello' } },
      ok: false,
      success: 1,
      failure: 1,
      results: [
        {
          target: 'phone',
          registration_id: PHONE,
          ok: true,
          message_id: '0:0%test',
          attempts: 1,
        },
        {
          target: 'tablet',
          registration_id: TABLET,
          ok: false,
          error: 'NotRegistered',
          attempts: 1,
        },
      ],
    });
  });

  it('keeps every option that shapes a send, and only those given', () => {
    const record = buildHistoryRecord(
      sampleInput({
        targets: [],
        message: {
          dryRun: true,
          collapseKey: 'news',
          ttl: 0,
          priority: 'high',
          contentAvailable: true,
          restrictedPackageName: 'com.example.app',
        },
        options: {
          retries: 2,
          timeoutMs: 5_500,
          concurrency: 8,
          condition: "'a' in topics",
          emulator: true,
          project: 'demo-project',
        },
      }),
    );
    expect(record.options).toEqual({
      dry_run: true,
      retries: 2,
      timeout_ms: 5_500,
      concurrency: 8,
      collapse_key: 'news',
      ttl: 0,
      priority: 'high',
      content_available: true,
      restricted_package_name: 'com.example.app',
      condition: "'a' in topics",
      emulator: true,
      project: 'demo-project',
    });
    expect(record.message).toEqual({});
  });

  it('says ok only when no recipient failed', () => {
    const all = buildHistoryRecord(sampleInput({ report: report([result(0, 'phone')]) }));
    expect(all).toMatchObject({ ok: true, success: 1, failure: 0 });
  });

  it('clips long server text in a result', () => {
    const detail = 'x'.repeat(5_000);
    const record = buildHistoryRecord(
      sampleInput({ report: report([result(0, 'phone', { error: 'InvalidRequest', detail })]) }),
    );
    const kept = record.results[0]?.detail ?? '';
    expect(kept).toHaveLength(HISTORY_BOUNDS.detailChars);
    expect(kept.endsWith('…')).toBe(true);
  });
});

describe('endpointHost', () => {
  it.each([
    ['https://fcm.googleapis.com/fcm/send', 'fcm.googleapis.com'],
    ['http://127.0.0.1:8089/fcm/send', '127.0.0.1:8089'],
    ['https://user:secret@push.example.com/send?key=secret', 'push.example.com'],
    ['not a url', 'unknown'],
  ])('reduces %s to %s', (endpoint, host) => {
    expect(endpointHost(endpoint)).toBe(host);
  });
});

describe('secrets', () => {
  const SENTINEL = 'AIzaSySentinelKey-never-in-history-0123';

  it('keeps no part of a key that rode along with the plan, through to the log file', () => {
    // Shaped like send's SendPlan: the route carries the key next to the endpoint.
    const plan = {
      recipients: [],
      message: { data: { msg: 'hi' }, dryRun: false },
      limits: { retries: 5, timeoutMs: 60_000 },
      route: {
        protocol: 'legacy',
        endpoint: `https://user:${SENTINEL}@push.example.com/fcm/send?key=${SENTINEL}`,
        apiKey: SENTINEL,
      },
      writeConfig: true,
    };
    const route: Record<string, unknown> = plan.route;
    const record = buildHistoryRecord({
      ...sampleInput(),
      endpoint: plan.route.endpoint,
      message: { ...plan.message, ...route },
      // Careless wiring that spreads the route into the options still leaks nothing.
      options: { ...plan.limits, ...route },
      // @ts-expect-error the builder has no place for a route or its credentials
      route: plan.route,
    });
    const dir = tempDataDir();
    expect(appendHistory(record, { GCMPUSH_DATA_DIR: dir })).toBeUndefined();
    const line = readFileSync(path.join(dir, 'history.jsonl'), 'utf8');
    expect(line).toContain('push.example.com');
    expect(line).not.toContain(SENTINEL);
    expect(line).not.toContain(SENTINEL.slice(-8));
  });
});

describe('bounds', () => {
  it('keeps the first 10,000 failures and 1,000 successes in order, counting the rest', () => {
    const results = Array.from({ length: 25_000 }, (_, index) =>
      index % 5 === 0
        ? result(index, `ok:${index}`)
        : result(index, `bad:${index}`, { error: 'NotRegistered' }),
    );
    const record = buildHistoryRecord(sampleInput({ targets: [], report: report(results) }));
    const failed = record.results.filter((entry) => !entry.ok);
    const accepted = record.results.filter((entry) => entry.ok);
    expect(failed).toHaveLength(10_000);
    expect(accepted).toHaveLength(1_000);
    expect(record.results_omitted).toBe(14_000);
    expect(record).toMatchObject({ success: 5_000, failure: 20_000 });
    expect(failed[0]?.target).toBe('bad:1');
    expect(accepted.at(-1)?.target).toBe('ok:4995');
    const order = record.results.map((entry) => Number(entry.target.split(':')[1]));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('keeps fewer failures when their IDs are long, so the line stays a few MB', () => {
    const longId = (index: number) => `${String(index).padStart(8, '0')}:${'x'.repeat(2_000)}`;
    const results = Array.from({ length: 3_000 }, (_, index) =>
      result(index, longId(index), { error: 'NotRegistered' }),
    );
    const record = buildHistoryRecord(sampleInput({ targets: [], report: report(results) }));
    expect(record.results.length).toBeLessThan(1_000);
    expect(record.results.length + (record.results_omitted ?? 0)).toBe(3_000);
    expect(JSON.stringify(record.results).length).toBeLessThanOrEqual(HISTORY_BOUNDS.failedChars);
  });

  it('leaves results_omitted out when everything was kept', () => {
    expect(buildHistoryRecord(sampleInput())).not.toHaveProperty('results_omitted');
  });

  it('keeps 1,000 targets, and none of 1,001 but their count', () => {
    const targets = (count: number) => Array.from({ length: count }, (_, index) => `t:${index}`);
    const kept = buildHistoryRecord(sampleInput({ targets: targets(1_000) }));
    expect(kept.targets).toHaveLength(1_000);
    expect(kept).not.toHaveProperty('targets_omitted');
    const dropped = buildHistoryRecord(sampleInput({ targets: targets(1_001) }));
    expect(dropped.targets).toEqual([]);
    expect(dropped.targets_omitted).toBe(1_001);
  });

  it('gives the same record from keepers fed while a send streamed', () => {
    const results = [result(0, 'phone'), result(1, 'tablet', { error: 'NotRegistered' })];
    const targets = new TargetKeeper();
    const kept = new ResultKeeper();
    ['phone', 'tablet'].forEach((target) => targets.note(target));
    results.forEach((entry) => kept.note(entry));
    const streamed = buildHistoryRecord(
      sampleInput({ targets, results: kept, report: { ...report(results), results: [] } }),
    );
    expect(streamed).toEqual(buildHistoryRecord(sampleInput()));
  });
});
