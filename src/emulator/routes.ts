/** The emulator's small router: whole-path patterns, a handler per method, 404 and 405. */
import type { IncomingHttpHeaders } from 'node:http';
import type { StatusFault } from './faults.js';
import type { Reply } from './http.js';
import type { EmulatorState } from './state.js';

/** What a handler gets: the shared state and a request whose body was read already. */
export interface RouteRequest {
  state: EmulatorState;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
  /** Capture groups of the route's pattern, URL-decoded. */
  params: string[];
}

export type RouteHandler = (request: RouteRequest) => Reply;

/** One path and the methods it answers. */
export interface Route {
  /** Matches the whole path; capture groups become `params`. */
  pattern: RegExp;
  handlers: Partial<Record<string, RouteHandler>>;
  /** Send requests take scripted faults; control requests never do. */
  takesFaults: boolean;
  /** How a status fault answers here; default an HTML page, as Google's front ends serve. */
  replyFault?: (fault: StatusFault) => Reply;
}

export type RouteMatch =
  | { found: true; route: Route; handler: RouteHandler; params: string[] }
  | { found: false; status: 404 }
  | { found: false; status: 405; allow: string };

function decodeParams(match: RegExpExecArray): string[] | undefined {
  try {
    return match.slice(1).map((part) => decodeURIComponent(part ?? ''));
  } catch {
    return undefined;
  }
}

export function findRoute(routes: readonly Route[], method: string, path: string): RouteMatch {
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (match === null) continue;
    const params = decodeParams(match);
    if (params === undefined) return { found: false, status: 404 };
    const handler = route.handlers[method];
    if (handler === undefined) {
      return { found: false, status: 405, allow: Object.keys(route.handlers).join(', ') };
    }
    return { found: true, route, handler, params };
  }
  return { found: false, status: 404 };
}
