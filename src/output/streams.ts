/**
 * Where output goes and whether it may be coloured. Commands write through an `Io` so tests can
 * capture stdout and stderr apart and switch TTY behaviour without a terminal.
 */
export interface Io {
  /** Results: the table or the one JSON document. */
  out(text: string): void;
  /** Diagnostics: progress, retry notices, warnings, errors. */
  err(text: string): void;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  /** stdout is a terminal: aligned columns and symbols instead of tab-separated text. */
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Colour decided per stream; see `decideColor`. */
  colorOut: boolean;
  colorErr: boolean;
}

/**
 * Colour only on a terminal, never with NO_COLOR (chalk does not read it itself) or --no-color;
 * FORCE_COLOR turns it on anywhere, so tests can check coloured output.
 */
export function decideColor(isTTY: boolean, env: NodeJS.ProcessEnv, noColorFlag = false): boolean {
  if (noColorFlag || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  return isTTY;
}

export function processIo(noColorFlag = false): Io {
  const env = process.env;
  const stdoutIsTTY = process.stdout.isTTY === true;
  const stderrIsTTY = process.stderr.isTTY === true;
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    stdin: process.stdin,
    env,
    stdoutIsTTY,
    stderrIsTTY,
    colorOut: decideColor(stdoutIsTTY, env, noColorFlag),
    colorErr: decideColor(stderrIsTTY, env, noColorFlag),
  };
}
