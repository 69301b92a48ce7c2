/** A finished send's report built from its results, as the engine would count them. */
import type { RecipientResult, SendReport } from '../../src/engine/send.js';

export function reportOf(results: RecipientResult[], multicastIds: string[] = []): SendReport {
  const success = results.filter((result) => result.ok).length;
  const errors = new Set(results.flatMap((result) => (result.error ? [result.error] : [])));
  return {
    results,
    total: results.length,
    success,
    failure: results.length - success,
    canonicalIds: results.filter((result) => result.canonicalId !== undefined).length,
    errors,
    multicastIds,
    timedOut: false,
    interrupted: errors.has('Interrupted'),
  };
}
