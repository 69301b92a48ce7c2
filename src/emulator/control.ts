/**
 * The control API under `/emulator/`: register devices, subscribe them to topics, queue
 * faults and read the inbox. JSON in and out; CI scripts depend on these exact shapes.
 */
import { isJsonObject, parseJsonText } from './checks.js';
import { isTopicName } from './conditions.js';
import { parseDeviceSpec } from './devices.js';
import { parseFaultSpec } from './faults.js';
import { replyEmpty, replyJson, type Reply } from './http.js';
import type { Route, RouteRequest } from './routes.js';

function replyError(status: number, error: string): Reply {
  return replyJson(status, { error });
}

function createDevice({ state, body }: RouteRequest): Reply {
  const json = parseJsonText(body);
  if (!json.ok) return replyError(400, json.error);
  const spec = parseDeviceSpec(json.value);
  if (!spec.ok) return replyError(400, spec.error);
  const id = spec.value.registration_id;
  if (id !== undefined && state.devices.has(id)) {
    return replyError(409, 'a device with this registration_id exists already');
  }
  return replyJson(201, state.devices.register(spec.value));
}

function subscribeDevice({ state, body, params }: RouteRequest): Reply {
  const id = params[0] ?? '';
  if (!state.devices.has(id)) return replyError(404, 'no device has this registration_id');
  const json = parseJsonText(body);
  if (!json.ok) return replyError(400, json.error);
  const topic = isJsonObject(json.value) ? json.value.topic : undefined;
  // Accept the `/topics/` form too, since that is how senders write the same topic.
  const name = typeof topic === 'string' ? topic.replace(/^\/topics\//, '') : '';
  if (!isTopicName(name)) {
    return replyError(400, 'send {"topic": NAME} with NAME matching [a-zA-Z0-9-_.~%]+');
  }
  state.devices.subscribe(id, name);
  return replyEmpty();
}

function addFault({ state, body }: RouteRequest): Reply {
  const json = parseJsonText(body);
  if (!json.ok) return replyError(400, json.error);
  const fault = parseFaultSpec(json.value);
  if (!fault.ok) return replyError(400, fault.error);
  state.faults.add(fault.value);
  return replyEmpty();
}

function listMessages({ state, url }: RouteRequest): Reply {
  return replyJson(200, state.inbox.list(url.searchParams.get('to') ?? undefined));
}

function clearFaults({ state }: RouteRequest): Reply {
  state.faults.clear();
  return replyEmpty();
}

function clearMessages({ state }: RouteRequest): Reply {
  state.inbox.clear();
  return replyEmpty();
}

/** Control routes; none of them takes faults, so a test can always reach them. */
export const CONTROL_ROUTES: readonly Route[] = [
  {
    pattern: /^\/emulator\/devices$/,
    takesFaults: false,
    handlers: {
      GET: ({ state }) => replyJson(200, state.devices.list()),
      POST: createDevice,
    },
  },
  {
    pattern: /^\/emulator\/devices\/([^/]+)\/topics$/,
    takesFaults: false,
    handlers: { POST: subscribeDevice },
  },
  {
    pattern: /^\/emulator\/faults$/,
    takesFaults: false,
    handlers: {
      GET: ({ state }) => replyJson(200, state.faults.list()),
      POST: addFault,
      DELETE: clearFaults,
    },
  },
  {
    pattern: /^\/emulator\/messages$/,
    takesFaults: false,
    handlers: {
      GET: listMessages,
      DELETE: clearMessages,
    },
  },
];
