/**
 * Bounds on how much of a send is held at once. A million recipients read from a file must not
 * all sit in memory: the window lets a batch start only while few enough recipients are
 * unfinished, and the ordered emitter hands results out in target order as soon as the ones
 * before them are final.
 */

/** A count of recipients read but not yet handed out; `acquire` waits while it is full. */
export class RecipientWindow {
  private held = 0;
  private readonly waiting: WindowEntry[] = [];

  constructor(private readonly size: number) {}

  /**
   * Resolves once `count` more recipients fit. A batch larger than the whole window still goes
   * when the window is empty, so no size can stall a send.
   */
  acquire(count: number, signal?: AbortSignal): Promise<void> {
    if (this.fits(count) && this.waiting.length === 0) {
      this.held += count;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const entry: WindowEntry = { count, resolve, signal };
      // An interrupt lets the reader through, so it can mark the rest of the list at once.
      entry.onAbort = () => this.admit(entry);
      signal?.addEventListener('abort', entry.onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  release(count: number): void {
    this.held -= count;
    while (this.waiting.length > 0 && this.fits((this.waiting[0] as WindowEntry).count)) {
      this.admit(this.waiting[0] as WindowEntry);
    }
  }

  private fits(count: number): boolean {
    return this.held === 0 || this.held + count <= this.size;
  }

  private admit(entry: WindowEntry): void {
    const at = this.waiting.indexOf(entry);
    if (at === -1) return;
    this.waiting.splice(at, 1);
    // A send of a million recipients waits here thousands of times: leave no listener behind.
    if (entry.onAbort !== undefined) entry.signal?.removeEventListener('abort', entry.onAbort);
    this.held += entry.count;
    entry.resolve();
  }
}

interface WindowEntry {
  count: number;
  resolve: () => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** Hands out items by their index, 0, 1, 2 ..., holding back any that arrive early. */
export class OrderedEmitter<T> {
  private next = 0;
  private readonly early = new Map<number, T>();

  constructor(private readonly emit: (item: T) => void) {}

  add(index: number, item: T): void {
    if (index !== this.next) {
      this.early.set(index, item);
      return;
    }
    this.emit(item);
    this.next++;
    for (
      let held = this.early.get(this.next);
      held !== undefined;
      held = this.early.get(this.next)
    ) {
      this.early.delete(this.next);
      this.emit(held);
      this.next++;
    }
  }
}
