/** A throwaway RSA key and service-account JSON for the FCM v1 tests; nothing here is real. */
import type { KeyObject } from 'node:crypto';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestKeys {
  privatePem: string;
  publicKey: KeyObject;
}

/** A 2048-bit RSA pair, as Google issues; about 100 ms, so call it once per file. */
export function createTestKeys(): TestKeys {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, publicKey };
}

/** Service-account JSON shaped like a downloaded key file; `overrides` replace or add fields. */
export function accountJson(
  privatePem: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: 'service_account',
    project_id: 'demo-project',
    private_key_id: 'key-id-0123',
    private_key: privatePem,
    client_email: 'sender@demo-project.iam.gserviceaccount.com',
    client_id: '1234567890',
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: 'https://oauth2.googleapis.com/token',
    ...overrides,
  };
}

/** Writes `contents` (JSON-encoded unless already text) to a file in a fresh temp folder. */
export function writeTempFile(contents: object | string, name = 'key.json'): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gcmpush-account-'));
  const file = path.join(dir, name);
  writeFileSync(file, typeof contents === 'string' ? contents : JSON.stringify(contents, null, 2));
  return file;
}

/** A line from the middle of a PEM: if output holds it, output holds part of the key. */
export function pemBodyLine(privatePem: string): string {
  const lines = privatePem.trim().split('\n');
  return lines[Math.floor(lines.length / 2)] ?? '';
}
