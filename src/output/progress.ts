/**
 * The progress bar of a long send, on stderr: final results over the total, then how many
 * recipients went out, came back ok or failed, wait on a back-off, and results per second.
 * It is for a person at a terminal only; cli-progress draws it and is loaded only when a bar
 * actually shows, so short sends and piped runs never pay for it.
 */
import { Chalk } from 'chalk';
import type { RecipientResult, SendEvents } from '../engine/send.js';
import type { Recipient } from '../protocols/types.js';
import type { Io } from './streams.js';

/**
 * Past this many recipients the bar shows from the start: a legacy request carries at most
 * 1000, so a larger send takes several round trips at least, and a bar costs nothing beside them.
 */
export const SHOW_AT_ONCE_ABOVE = 1000;

/**
 * A smaller send gets the bar once it has run this long. Most end well inside a second, where a
 * bar would only flash; past it the user is waiting (back-off, a slow server) and wants to see why.
 */
export const SHOW_AFTER_MS = 1000;

/** The flags that decide whether a bar may show at all. */
export interface ProgressFlags {
  json: boolean;
  ndjson: boolean;
  /** Its request lines on stderr would fight the bar. */
  verbose: boolean;
  /** false with `--no-progress`. */
  progress: boolean;
}

/** A bar is for a person at a terminal: never off a TTY, never beside machine output. */
export function wantsProgress(flags: ProgressFlags, stderrIsTTY: boolean): boolean {
  return stderrIsTTY && flags.progress && !flags.json && !flags.ndjson && !flags.verbose;
}

/** What the bar shows. */
export interface ProgressCounts {
  /** Recipients in the whole send. */
  total: number;
  /** Recipients that have gone out in a request at least once. */
  sent: number;
  ok: number;
  failed: number;
  /** Recipients waiting on a back-off before their next attempt. */
  retrying: number;
  /** Final results per second since the send began. */
  rate: number;
}

/** The drawing half: cli-progress's SingleBar, or a stand-in in tests. */
export interface ProgressBar {
  /** Draws the bar and keeps redrawing it until `stop`. */
  start(total: number, startValue: number): void;
  /** Draws it a last time, then clears its line and leaves the cursor at its start. */
  stop(): void;
}

/** Makes a bar that writes to `stream` the line `format` builds around a drawn bar. */
export type BarFactory = (options: {
  stream: NodeJS.WritableStream;
  format: (drawBar: (fraction: number) => string) => string;
}) => Promise<ProgressBar>;

export interface ProgressOptions {
  total: number;
  /**
   * The bar writes through `io.err`, coloured as `io.colorErr` says; the caller checked the
   * TTY.
   */
  io: Io;
  /** The send's clock, for the rate. */
  now: () => number;
  /** Default: cli-progress. */
  createBar?: BarFactory;
}

/** Counts a send's events and, once the send proves large or slow, shows them as a bar. */
export class SendProgress {
  private readonly counts = { sent: 0, ok: 0, failed: 0, retrying: 0 };
  // Weak, so a recipient the engine is done with is not held for a million-ID send.
  private readonly sentOnce = new WeakSet<Recipient>();
  private readonly waiting = new WeakSet<Recipient>();
  private readonly startedAt: number;
  private readonly color: boolean;
  private bar: ProgressBar | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private signal: AbortSignal | undefined;
  private readonly stopOnAbort = () => this.stop();

  constructor(private readonly options: ProgressOptions) {
    this.startedAt = options.now();
    this.color = options.io.colorErr;
  }

  /** Shows the bar now for a large send, else after `SHOW_AFTER_MS`; Ctrl-C takes it down. */
  async begin(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return this.stop();
    this.signal = signal;
    signal?.addEventListener('abort', this.stopOnAbort, { once: true });
    if (this.options.total > SHOW_AT_ONCE_ABOVE) return this.show();
    // Unref'd, so a pending bar never keeps the process alive; `stop` clears it.
    this.timer = setTimeout(() => void this.show(), SHOW_AFTER_MS).unref();
  }

  /** Clears the bar for good; safe to call more than once, and before it ever showed. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.stopOnAbort);
    this.bar?.stop();
    this.bar = undefined;
  }

  /**
   * The same Io, but every write clears the bar first and draws it again after, so a retry
   * notice or a block of table rows on the same terminal never lands inside the bar's line.
   * stdout is left alone when it is not a terminal: its writes cannot reach the bar. A full
   * stop and start, not a bare line clear: cli-progress saves the cursor when a bar starts and
   * restores it when it stops, so nothing else may be written between the two.
   */
  guard(io: Io): Io {
    const clearing = (write: (text: string) => void) => (text: string) => {
      const bar = this.bar;
      if (bar === undefined) return write(text);
      bar.stop();
      write(text);
      bar.start(this.options.total, 0);
    };
    return { ...io, out: io.stdoutIsTTY ? clearing(io.out) : io.out, err: clearing(io.err) };
  }

  /** The engine's events, counted on the way through to `events`. */
  watch(events: SendEvents): SendEvents {
    return {
      ...events,
      request: (request, recipients) => {
        this.noteRequest(recipients);
        events.request?.(request, recipients);
      },
      retry: (info) => {
        this.noteWaiting(info.recipients);
        events.retry?.(info);
      },
      result: (result) => {
        this.noteResult(result);
        events.result?.(result);
      },
    };
  }

  snapshot(): ProgressCounts {
    const seconds = (this.options.now() - this.startedAt) / 1000;
    const done = this.counts.ok + this.counts.failed;
    return { total: this.options.total, ...this.counts, rate: seconds > 0 ? done / seconds : 0 };
  }

  private noteRequest(recipients: Recipient[]) {
    for (const recipient of recipients) {
      // A retry or a resend with a fresh token carries the same recipient again.
      if (!this.sentOnce.has(recipient)) this.counts.sent++;
      this.sentOnce.add(recipient);
      if (this.waiting.delete(recipient)) this.counts.retrying--;
    }
  }

  private noteWaiting(recipients: Recipient[]) {
    for (const recipient of recipients) {
      if (!this.waiting.has(recipient)) this.counts.retrying++;
      this.waiting.add(recipient);
    }
  }

  private noteResult(result: RecipientResult) {
    // Interrupted or out of time during a back-off: final without another request.
    if (this.waiting.delete(result.recipient)) this.counts.retrying--;
    if (result.ok) this.counts.ok++;
    else this.counts.failed++;
  }

  private async show(): Promise<void> {
    this.timer = undefined;
    const createBar = this.options.createBar ?? createCliBar;
    const format = (drawBar: (fraction: number) => string) =>
      formatProgress(this.snapshot(), drawBar, this.color);
    // A bar that cannot load must not stop the send it only reports on.
    const bar = await createBar({ stream: toStream(this.options.io.err), format }).catch(
      () => undefined,
    );
    if (bar === undefined || this.stopped) return;
    this.bar = bar;
    bar.start(this.options.total, 0);
  }
}

/** `████░░░░ 1200/2500  sent 2000  ok 1190  failed 10  retrying 0  240/s` */
export function formatProgress(
  counts: ProgressCounts,
  drawBar: (fraction: number) => string,
  color: boolean,
): string {
  const chalk = new Chalk({ level: color ? 1 : 0 });
  const done = counts.ok + counts.failed;
  const fraction = counts.total > 0 ? Math.min(done / counts.total, 1) : 1;
  const rate = counts.rate < 10 ? counts.rate.toFixed(1) : String(Math.round(counts.rate));
  return [
    `${drawBar(fraction)} ${done}/${counts.total}`,
    `sent ${counts.sent}`,
    `ok ${chalk.green(counts.ok)}`,
    `failed ${chalk.red(counts.failed)}`,
    `retrying ${chalk.yellow(counts.retrying)}`,
    `${rate}/s`,
  ].join('  ');
}

/**
 * The line is redrawn from the counts ten times a second by cli-progress's own timer, so the
 * engine's events only bump numbers and never wait on drawing.
 */
async function createCliBar(options: Parameters<BarFactory>[0]): Promise<ProgressBar> {
  const { default: cliProgress } = await import('cli-progress');
  return new cliProgress.SingleBar({
    stream: options.stream,
    format: (barOptions) =>
      options.format((fraction) => cliProgress.Format.BarFormat(fraction, barOptions)),
    barsize: 20,
    barCompleteChar: '█',
    barIncompleteChar: '░',
    clearOnComplete: true,
    // Autowrap is off while the bar shows, so a line wider than the terminal is cut, not wrapped.
    linewrap: false,
  });
}

/**
 * A stream over `io.err`, so the bar goes where every other diagnostic goes. cli-progress and
 * node:readline only call `write` and read `isTTY` and `columns`.
 */
function toStream(write: (text: string) => void): NodeJS.WritableStream {
  // LIMITATION: Io does not carry the terminal's width, so a narrow terminal cuts the line's end.
  const stream = {
    isTTY: true,
    write: (text: string) => {
      write(text);
      return true;
    },
  };
  return stream as unknown as NodeJS.WritableStream;
}
