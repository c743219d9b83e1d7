import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  rootHttpRouterServiceFactory,
  type RootHttpRouterConfigureContext,
} from '@backstage/backend-defaults/rootHttpRouter';

/**
 * Requests whose query string stays out of the request log: the auth plugin's. The OAuth
 * callback (`/api/auth/<provider>/handler/frame?code=…&state=…`) carries a one-time
 * authorization code and the state that binds it to the browser's session.
 */
const AUTH_PATH_PREFIX = '/api/auth';

function isUnderAuth(path: string): boolean {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A malformed escape: match on the raw path.
  }
  // Express matches routes without regard to letter case, so /API/Auth/… reaches the auth
  // plugin as well.
  const lower = decoded.toLowerCase();
  return lower === AUTH_PATH_PREFIX || lower.startsWith(`${AUTH_PATH_PREFIX}/`);
}

/**
 * The path of a request target. Express routes an absolute-form target
 * (`GET http://host/api/auth/…`) by its path, so that is the one to match.
 */
function pathOf(target: string): string {
  if (target.startsWith('/')) return target;
  try {
    return new URL(target).pathname;
  } catch {
    return target;
  }
}

/**
 * The URL as the request log shows it: a path under `/api/auth` without its query string,
 * any other URL as it is.
 */
export function loggedUrl(url: string): string {
  const queryAt = url.indexOf('?');
  if (queryAt === -1) return url;
  const path = url.slice(0, queryAt);
  return isUnderAuth(pathOf(path)) ? path : url;
}

/**
 * The Referer as the request log shows it: the same rule as {@link loggedUrl} for a page
 * under `/api/auth` (a request made from the callback page names its URL).
 */
export function loggedReferrer(referrer: string): string {
  let parsed: URL;
  try {
    parsed = new URL(referrer);
  } catch {
    return loggedUrl(referrer);
  }
  if (parsed.search && isUnderAuth(parsed.pathname)) {
    parsed.search = '';
    return parsed.href;
  }
  return referrer;
}

/**
 * Keeps the query strings of `/api/auth` requests out of Backstage's request log; must be
 * added before `applyDefaults()`.
 *
 * Backstage's request logging (`MiddlewareFactory.logging()`, which `applyDefaults()` adds)
 * reads `req.originalUrl` and the Referer header in a listener for the response's 'finish'
 * event. Added before `applyDefaults()`, this middleware runs first and registers its own
 * 'finish' listener first; Node calls listeners in the order they were registered, so ours
 * rewrites the URL and Referer just before Backstage's listener reads them. 'finish' comes
 * once the response has been sent, so no route sees the rewritten URL: the auth plugin
 * still gets its `code` and `state` in `req.query`, which Express parsed on arrival.
 */
export function hideAuthQueriesFromRequestLog() {
  return function hideAuthQueries(
    req: IncomingMessage & { originalUrl?: string },
    res: ServerResponse,
    next: () => void,
  ) {
    res.on('finish', () => {
      const url = req.originalUrl ?? req.url ?? '';
      const logged = loggedUrl(url);
      if (logged !== url) {
        req.originalUrl = logged;
        // req.url may be relative to the router that answered (Express strips mount
        // paths from it), so cut only its query.
        req.url = req.url?.split('?')[0];
      }
      const headers: Record<string, string | string[] | undefined> =
        req.headers;
      for (const name of ['referer', 'referrer']) {
        const value = headers[name];
        if (value === undefined) continue;
        headers[name] = Array.isArray(value)
          ? value.map(loggedReferrer)
          : loggedReferrer(value);
      }
    });
    next();
  };
}

/** Backstage's defaults, with {@link hideAuthQueriesFromRequestLog} ahead of them. */
export function configureRootHttpRouter({
  app,
  applyDefaults,
}: RootHttpRouterConfigureContext) {
  app.use(hideAuthQueriesFromRequestLog());
  applyDefaults();
}

/** The root HTTP router with Backstage's defaults, logging no query string under /api/auth. */
export const rootHttpRouter = rootHttpRouterServiceFactory({
  configure: configureRootHttpRouter,
});
