/**
 * What a send changes in the stored names: canonical IDs replace old ones, and `--prune`
 * removes names the service no longer knows. Only named recipients matter here, so the lists
 * stay as small as the config however many IDs were sent.
 */
import type { ConfigStore } from '../config/store.js';
import type { RecipientResult } from '../engine/send.js';
import type { Io } from '../output/streams.js';

/** Results that may change a stored name, gathered while the send runs. */
export class NameChanges {
  readonly canonical: RecipientResult[] = [];
  readonly dead: RecipientResult[] = [];

  note(result: RecipientResult): void {
    if (result.recipient.name === undefined) return;
    if (result.canonicalId !== undefined) this.canonical.push(result);
    if (result.error === 'NotRegistered' || result.error === 'InvalidRegistration') {
      this.dead.push(result);
    }
  }

  get any(): boolean {
    return this.canonical.length > 0 || this.dead.length > 0;
  }

  /** Writes the changes, each only if the name still holds the ID that was sent to. */
  async apply(store: ConfigStore, io: Io, options: { prune: boolean }): Promise<void> {
    if (this.canonical.length > 0) await this.applyCanonicalIds(store, io);
    if (options.prune && this.dead.length > 0) await this.prune(store, io);
  }

  private async applyCanonicalIds(store: ConfigStore, io: Io) {
    const applied = await store.update((data) => {
      const ids = { ...data.ids };
      const done: string[] = [];
      for (const { recipient, canonicalId } of this.canonical) {
        const name = recipient.name as string;
        if (ids[name] !== recipient.registrationId) continue;
        ids[name] = canonicalId as string;
        done.push(name);
      }
      data.ids = ids;
      return done;
    });
    for (const name of applied) io.err(`Updated ${name} to its canonical registration ID\n`);
  }

  private async prune(store: ConfigStore, io: Io) {
    const removed = await store.update((data) => {
      const ids = { ...data.ids };
      const done: string[] = [];
      for (const { recipient, error } of this.dead) {
        const name = recipient.name as string;
        if (ids[name] !== recipient.registrationId) continue;
        delete ids[name];
        done.push(`${name} (${error})`);
      }
      data.ids = ids;
      return done;
    });
    if (removed.length > 0) io.err(`Pruned ${removed.join(', ')}\n`);
  }
}
