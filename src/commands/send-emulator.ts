/**
 * `gcmpush send --emulator`: the zero-setup way to try the tool. It starts an emulator in this
 * process on a free loopback port, registers every target there as a device, sends through it
 * with the same code path as a real send, and shows what each device received. No API key is
 * needed, and the user's config is read but never written.
 */
import type { RunningEmulator } from '../emulator/server.js';
import { startEmulator } from '../emulator/server.js';
import { createServiceAccount } from '../emulator/service-account.js';
import { validateServiceAccount } from '../auth/service-account.js';
import { looksLikeRegistrationId, resolveTargets } from '../engine/targets.js';
import type { Io } from '../output/streams.js';
import type { PushMessage } from '../protocols/types.js';
import { checkName } from './ids.js';
import { renderInbox } from './inbox.js';
import type { SendDeps, SendPlan, SendRoute } from './send.js';
import { conditionRecipient, executeSend, isTopic } from './send.js';
import type { SendFlags, SendLimits } from './send-input.js';
import { checkProtocol } from './send-route.js';

/** What `send` read and checked before it saw `--emulator`. */
export interface EmulatorSendInput {
  flags: SendFlags;
  limits: SendLimits;
  targets: string[];
  condition?: string;
  message: PushMessage;
  history: SendPlan['history'];
}

/** The in-process emulator accepts any key; this one only has to be non-empty. */
const EMULATOR_KEY = 'gcmpush-emulator';

export async function runSendOnEmulator(
  input: EmulatorSendInput,
  io: Io,
  deps: SendDeps,
): Promise<number> {
  const { flags, limits, targets, condition, message, history } = input;
  // Names are checked before anything starts, so a typo costs nothing.
  const stored = deps.store.ids();
  for (const target of targets) {
    if (!Object.hasOwn(stored, target) && !isTopic(target) && !looksLikeRegistrationId(target)) {
      checkName(target);
    }
  }
  const emulator = await startEmulator({ port: 0 });
  try {
    const ids = await registerTargets(emulator, targets, stored);
    if (condition !== undefined) await registerConditionDevice(emulator, condition);
    const recipients =
      condition === undefined ? resolveTargets(targets, ids) : [conditionRecipient(condition)];
    const route = routeTo(emulator, checkProtocol(flags.protocol) ?? 'legacy');
    const plan: SendPlan = { recipients, message, limits, route, writeConfig: false, history };
    return await executeSend(plan, flags, io, deps, {
      json: () => ({ emulator: emulator.origin, inbox: emulator.messages() }),
      after: () => {
        if (!flags.json && !flags.ndjson) showInbox(emulator.messages(), ids, io);
      },
    });
  } finally {
    await emulator.close();
  }
}

/**
 * Legacy with any key, or v1 with a service account made for this run and trusted by the
 * emulator alone, so the whole OAuth flow runs too.
 */
function routeTo(emulator: RunningEmulator, protocol: 'legacy' | 'v1'): SendRoute {
  if (protocol === 'legacy') {
    return { protocol, endpoint: emulator.url, apiKey: EMULATOR_KEY, keySource: 'the emulator' };
  }
  const key = createServiceAccount({ tokenUri: emulator.tokenUrl });
  emulator.trustServiceAccount(key);
  const account = validateServiceAccount(key, "the emulator's service account");
  return {
    protocol,
    endpoint: emulator.origin,
    projectId: account.projectId,
    account,
    accountSource: 'the emulator',
    cacheTokens: false,
  };
}

/**
 * Makes each target a device of the emulator. Stored names and raw IDs keep their registration
 * IDs; a name not stored yet gets a fresh emulator ID for this run; a topic gets one subscriber,
 * so the send has somewhere to go. Returns the names to resolve the targets against.
 */
async function registerTargets(
  emulator: RunningEmulator,
  targets: string[],
  stored: Record<string, string>,
): Promise<Record<string, string>> {
  const ids = { ...stored };
  const registered = new Set<string>();
  const register = (registrationId: string) => {
    if (registered.has(registrationId)) return;
    registered.add(registrationId);
    emulator.registerDevice({ registration_id: registrationId });
  };
  for (const target of targets) {
    if (isTopic(target)) {
      await subscribeNewDevice(emulator, [target.slice('/topics/'.length)]);
    } else if (Object.hasOwn(ids, target)) {
      register(ids[target] as string);
    } else if (looksLikeRegistrationId(target)) {
      register(target);
    } else {
      ids[target] = emulator.registerDevice({}).registration_id;
      registered.add(ids[target]);
    }
  }
  return ids;
}

/** One device that follows every topic the condition names, so `&&` conditions match too. */
async function registerConditionDevice(emulator: RunningEmulator, condition: string) {
  const topics = [...condition.matchAll(/['"]([^'"]+)['"]\s+in\s+topics/gi)].map(
    (match) => match[1] as string,
  );
  await subscribeNewDevice(emulator, topics);
}

/** Registers a device and subscribes it through the control API, as a user's script would. */
async function subscribeNewDevice(emulator: RunningEmulator, topics: string[]) {
  const { registration_id: id } = emulator.registerDevice({});
  for (const topic of topics) {
    const url = `${emulator.origin}/emulator/devices/${encodeURIComponent(id)}/topics`;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ topic }),
    });
    if (response.status !== 204) {
      throw new Error(`the emulator refused topic ${topic}: HTTP ${response.status}`);
    }
  }
}

/** What each device received: on a terminal after the results, to a pipe on stderr. */
function showInbox(
  inbox: ReturnType<RunningEmulator['messages']>,
  ids: Record<string, string>,
  io: Io,
) {
  const names = new Map(Object.entries(ids).map(([name, id]) => [id, name]));
  const write = io.stdoutIsTTY ? io.out : io.err;
  if (inbox.length === 0) {
    write('\nThe emulator delivered nothing.\n');
    return;
  }
  write(`\nReceived by the emulator's devices:\n`);
  write(renderInbox(inbox, names, io.stdoutIsTTY || io.stderrIsTTY));
}
