import { describe, expect, it } from 'vitest';
import type { RecipientResult } from '../../src/engine/send.js';
import { buildSendJson, toJsonResult } from '../../src/output/json.js';
import { reportOf } from '../helpers/report.js';
import type { Recipient } from '../../src/protocols/types.js';

const SEND_ID = '0193a1b2-7c4d-7e5f-9a0b-1c2d3e4f5a6b';
const LEGACY = { protocol: 'legacy', dryRun: false };

const phone: Recipient = {
  index: 0,
  target: 'phone1',
  registrationId: 'cXk2:APA91b-phone',
  kind: 'token',
  name: 'phone1',
};
const tablet: Recipient = {
  index: 1,
  target: 'tablet',
  registrationId: 'dYz3:APA91b-tablet',
  kind: 'token',
  name: 'tablet',
};
const raw: Recipient = {
  index: 2,
  target: 'eAb4:APA91b-raw',
  registrationId: 'eAb4:APA91b-raw',
  kind: 'token',
};

const accepted: RecipientResult = {
  recipient: phone,
  ok: true,
  messageId: '0:1%ab',
  canonicalId: 'NEW:APA91b-phone',
  attempts: 2,
};
const unregistered: RecipientResult = {
  recipient: tablet,
  ok: false,
  error: 'NotRegistered',
  attempts: 1,
};
const unreachable: RecipientResult = {
  recipient: raw,
  ok: false,
  error: 'Unreachable',
  detail: 'HTTP 503 Service Unavailable after 6 attempts',
  status: 'UNAVAILABLE',
  attempts: 6,
};

const report = reportOf;

describe('buildSendJson', () => {
  it('builds the documented document for one success and one failure', () => {
    const json = buildSendJson(
      SEND_ID,
      report([accepted, unregistered], ['6617353745316249851']),
      LEGACY,
    );

    expect(json).toStrictEqual({
      send_id: SEND_ID,
      ok: false,
      success: 1,
      failure: 1,
      canonical_ids: 1,
      multicast_ids: ['6617353745316249851'],
      protocol: 'legacy',
      dry_run: false,
      results: [
        {
          target: 'phone1',
          registration_id: 'cXk2:APA91b-phone',
          ok: true,
          message_id: '0:1%ab',
          canonical_registration_id: 'NEW:APA91b-phone',
          attempts: 2,
        },
        {
          target: 'tablet',
          registration_id: 'dYz3:APA91b-tablet',
          ok: false,
          error: 'NotRegistered',
          attempts: 1,
        },
      ],
    });
  });

  it('puts the top-level fields in the documented order', () => {
    const json = buildSendJson(SEND_ID, report([accepted]), LEGACY);

    expect(Object.keys(json)).toEqual([
      'send_id',
      'ok',
      'success',
      'failure',
      'canonical_ids',
      'multicast_ids',
      'protocol',
      'dry_run',
      'results',
    ]);
  });

  it('is ok only when every recipient succeeded', () => {
    const second = { ...accepted, recipient: tablet, canonicalId: undefined };

    const json = buildSendJson(SEND_ID, report([accepted, second]), LEGACY);

    expect(json).toMatchObject({ ok: true, success: 2, failure: 0, canonical_ids: 1 });
  });

  it('counts failures and canonical IDs over every result', () => {
    const results = [accepted, unregistered, unreachable, { ...accepted, recipient: tablet }];

    const json = buildSendJson(SEND_ID, report(results, ['1', '2']), LEGACY);

    expect(json).toMatchObject({
      ok: false,
      success: 2,
      failure: 2,
      canonical_ids: 2,
      multicast_ids: ['1', '2'],
    });
  });

  it('carries the protocol and dry run flag', () => {
    const json = buildSendJson(SEND_ID, report([accepted]), { protocol: 'v1', dryRun: true });

    expect(json).toMatchObject({ protocol: 'v1', dry_run: true });
  });

  it('gives empty counts and no multicast IDs for an empty report', () => {
    const json = buildSendJson(SEND_ID, report([]), LEGACY);

    expect(json).toMatchObject({
      success: 0,
      failure: 0,
      canonical_ids: 0,
      multicast_ids: [],
      results: [],
    });
  });

  it('serialises to JSON with the results in report order', () => {
    const json = buildSendJson(SEND_ID, report([accepted, unregistered, unreachable]), LEGACY);

    const parsed = JSON.parse(JSON.stringify(json)) as { results: { target: string }[] };

    expect(parsed.results.map((result) => result.target)).toEqual([
      'phone1',
      'tablet',
      'eAb4:APA91b-raw',
    ]);
  });
});

describe('toJsonResult', () => {
  it('writes every field of a failure, attempts last', () => {
    const result = toJsonResult(unreachable);

    expect(result).toStrictEqual({
      target: 'eAb4:APA91b-raw',
      registration_id: 'eAb4:APA91b-raw',
      ok: false,
      error: 'Unreachable',
      detail: 'HTTP 503 Service Unavailable after 6 attempts',
      status: 'UNAVAILABLE',
      attempts: 6,
    });
    expect(Object.keys(result).at(-1)).toBe('attempts');
  });

  it('leaves out optional fields that are undefined', () => {
    const result = toJsonResult({
      recipient: raw,
      ok: true,
      messageId: 'm1',
      canonicalId: undefined,
      error: undefined,
      detail: undefined,
      status: undefined,
      attempts: 1,
    });

    expect(Object.keys(result)).toEqual([
      'target',
      'registration_id',
      'ok',
      'message_id',
      'attempts',
    ]);
  });

  it('keeps an empty detail string, which is a value', () => {
    const result = toJsonResult({ ...unregistered, detail: '' });

    expect(result).toStrictEqual({
      target: 'tablet',
      registration_id: 'dYz3:APA91b-tablet',
      ok: false,
      error: 'NotRegistered',
      detail: '',
      attempts: 1,
    });
  });

  it('reports a topic with the topic as target and registration ID', () => {
    const topic: Recipient = {
      index: 0,
      target: '/topics/news',
      registrationId: '/topics/news',
      kind: 'topic',
    };

    const result = toJsonResult({ recipient: topic, ok: true, messageId: '7718', attempts: 1 });

    expect(result).toStrictEqual({
      target: '/topics/news',
      registration_id: '/topics/news',
      ok: true,
      message_id: '7718',
      attempts: 1,
    });
  });
});
