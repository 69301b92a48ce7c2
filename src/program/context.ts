/** What every command declaration needs from the entry point, without importing commander. */
import { setMaxListeners } from 'node:events';
import type { ConfigStore } from '../config/store.js';
import type { Io } from '../output/streams.js';

export interface CommandContext {
  /** Runs a command's work; its returned number becomes the exit code. */
  run(task: () => Promise<number | void> | number | void): Promise<void>;
  /** The streams, decided once the global flags (`--no-color`) are parsed. */
  io(): Io;
  /** The config store, opened on first use. */
  store(): Promise<ConfigStore>;
}

/** commander's collector for repeatable flags. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `Examples:` after a command's own help, one command per line. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  ${line}`).join('\n')}`;
}

/**
 * Aborted on the first Ctrl-C or SIGTERM, so a command can stop cleanly and report what it has.
 * A second Ctrl-C is not caught, so it ends the process at once.
 */
export function interruption(): AbortSignal {
  const controller = new AbortController();
  // Every batch in a back-off wait listens here until its wait ends, and a large send has
  // dozens waiting at once: more than Node's default of 10, which it would report as a leak.
  setMaxListeners(0, controller.signal);
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller.signal;
}
