/**
 * Bounds on how much of a send is held at once. A million recipients read from a file must not
 * all sit in memory: the window lets a batch start only while few enough recipients are
 * unfinished, and the ordered emitter hands results out in target order as soon as the ones
 * before them are final.
 */

/** A count of recipients read but not yet handed out; `acquire` waits while it is full. */
export class RecipientWindow {
  private held = 0;
  private readonly waiting: Array<{ count: number; resolve: () => void }> = [];

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
      const entry = { count, resolve };
      this.waiting.push(entry);
      // An interrupt lets the reader through, so it can mark the rest of the list at once.
      signal?.addEventListener('abort', () => this.admit(entry), { once: true });
    });
  }

  release(count: number): void {
    this.held -= count;
    while (this.waiting.length > 0 && this.fits((this.waiting[0] as { count: number }).count)) {
      this.admit(this.waiting[0] as { count: number; resolve: () => void });
    }
  }

  private fits(count: number): boolean {
    return this.held === 0 || this.held + count <= this.size;
  }

  private admit(entry: { count: number; resolve: () => void }): void {
    const at = this.waiting.indexOf(entry);
    if (at === -1) return;
    this.waiting.splice(at, 1);
    this.held += entry.count;
    entry.resolve();
  }
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
