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

  /**
   * Writes the changes in one config update, each only if the name still holds the ID that
   * was sent to.
   */
  async apply(store: ConfigStore, io: Io, options: { prune: boolean }): Promise<void> {
    const dead = options.prune ? this.dead : [];
    if (this.canonical.length === 0 && dead.length === 0) return;
    const { updated, pruned } = await store.update((data) => {
      const ids = { ...data.ids };
      const stillSent = ({ recipient }: RecipientResult) =>
        ids[recipient.name as string] === recipient.registrationId;
      const updated: string[] = [];
      for (const result of this.canonical.filter(stillSent)) {
        ids[result.recipient.name as string] = result.canonicalId as string;
        updated.push(result.recipient.name as string);
      }
      const pruned: string[] = [];
      for (const result of dead.filter(stillSent)) {
        delete ids[result.recipient.name as string];
        pruned.push(`${result.recipient.name} (${result.error})`);
      }
      data.ids = ids;
      return { updated, pruned };
    });
    for (const name of updated) io.err(`Updated ${name} to its canonical registration ID\n`);
    if (pruned.length > 0) io.err(`Pruned ${pruned.join(', ')}\n`);
  }
}
