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
  /**
   * Undefined while stdout keeps up; else a promise that resolves once what was written has
   * gone out (or stdout closed, or `signal` aborted). A pipe takes writes without blocking and
   * buffers them, so a producer that does not wait here holds a slow reader's backlog in memory.
   * "Keeps up" means less than `OUTPUT_BACKLOG_BYTES` waiting, so a reader that is merely not
   * instant never holds the send back.
   */
  drained?(signal?: AbortSignal): Promise<void> | undefined;
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
    // Read on first use: creating process.stdin loads the stream modules, which most commands
    // never need.
    get stdin() {
      return process.stdin;
    },
    env,
    stdoutIsTTY,
    stderrIsTTY,
    colorOut: decideColor(stdoutIsTTY, env, noColorFlag),
    colorErr: decideColor(stderrIsTTY, env, noColorFlag),
    drained: (signal) => drained(process.stdout, signal),
  };
}

/** Output waiting for a reader, at most, before a send holds back; see `Io.drained`. */
export const OUTPUT_BACKLOG_BYTES = 2 * 1024 * 1024;

/** See `Io.drained`. */
export function drained(
  stream: NodeJS.WritableStream & { writableLength?: number },
  signal?: AbortSignal,
  backlog = OUTPUT_BACKLOG_BYTES,
): Promise<void> | undefined {
  if ((stream.writableLength ?? 0) < backlog || signal?.aborted) return undefined;
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
    signal?.addEventListener('abort', done);
  });
}
