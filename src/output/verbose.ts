/** `--verbose`: request and response summaries for stderr, with credentials redacted. */
import type { HttpRequest, HttpResponse } from '../transport/http.js';
import { maskSecret } from './mask.js';

const MAX_BODY_SHOWN = 2000;

/** `key=AIza…wxyz`, `Bearer ya29…wxyz`: enough to tell keys apart, never the whole secret. */
export function redactAuthorization(value: string): string {
  const match = /^(key=|Bearer\s+)(.*)$/i.exec(value);
  return match ? `${match[1]}${maskSecret(match[2] ?? '')}` : maskSecret(value);
}

export function formatRequest(request: HttpRequest): string {
  const lines = [`> POST ${request.url}`];
  for (const [name, value] of Object.entries(request.headers)) {
    lines.push(
      `> ${name}: ${name.toLowerCase() === 'authorization' ? redactAuthorization(value) : value}`,
    );
  }
  lines.push(`> ${clip(request.body)}`);
  return `${lines.join('\n')}\n`;
}

export function formatResponse(response: HttpResponse, elapsedMs: number): string {
  const lines = [`< ${response.status} ${response.statusText} (${Math.round(elapsedMs)} ms)`];
  for (const name of ['content-type', 'retry-after']) {
    const value = response.headers.get(name);
    if (value !== null) lines.push(`< ${name}: ${value}`);
  }
  lines.push(`< ${clip(response.body.trim())}`);
  return `${lines.join('\n')}\n`;
}

function clip(text: string): string {
  if (text.length <= MAX_BODY_SHOWN) return text;
  return `${text.slice(0, MAX_BODY_SHOWN)}… (${Buffer.byteLength(text)} bytes in all)`;
}
