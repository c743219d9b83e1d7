import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { readDurationFromConfig } from '@backstage/config';
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
 * The URL as the request log shows it: a path under `/api/auth` without its query string,
 * any other URL as it is.
 */
export function loggedUrl(url: string): string {
  const queryAt = url.indexOf('?');
  if (queryAt === -1) return url;
  const path = url.slice(0, queryAt);
  return isUnderAuth(path) ? path : url;
}

/**
 * The Referer as the request log shows it: the same rule as {@link loggedUrl} for a page of
 * this backend under `/api/auth` (a request made from the callback page names its URL).
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

type LoggedRequest = IncomingMessage & { originalUrl?: string };

/**
 * Backstage's request logging (`MiddlewareFactory.logging()` in @backstage/backend-defaults):
 * the same line and fields, with {@link loggedUrl} and {@link loggedReferrer} applied.
 */
export function requestLogging(logger: LoggerService) {
  return function logRequestsWithoutAuthQueries(
    req: LoggedRequest,
    res: ServerResponse,
    next: () => void,
  ) {
    res.on('finish', () => {
      const rawReferrer = req.headers.referer ?? req.headers.referrer;
      const userAgent = req.headers['user-agent'];
      const contentLength = Number(res.getHeader('content-length'));
      const meta: Record<string, string | number> = {
        method: req.method ?? '',
        url: loggedUrl(req.originalUrl ?? req.url ?? ''),
        status: res.statusCode,
        httpVersion: `${req.httpVersionMajor}.${req.httpVersionMinor}`,
      };
      if (userAgent) meta.userAgent = userAgent;
      if (isFinite(contentLength)) meta.contentLength = contentLength;
      if (rawReferrer) {
        meta.referrer = loggedReferrer(
          Array.isArray(rawReferrer) ? rawReferrer.join(', ') : rawReferrer,
        );
      }
      logger.info(
        `"${meta.method} ${meta.url} HTTP/${meta.httpVersion}" ${meta.status} ${
          meta.contentLength ?? 0
        } "${meta.referrer ?? '-'}" "${meta.userAgent ?? '-'}"`,
        { type: 'incomingRequest', ...meta },
      );
    });
    next();
  };
}

/** `@backstage/types`' durationToMilliseconds (months of 30 days, years of 365). */
function durationMs(duration: ReturnType<typeof readDurationFromConfig>) {
  const {
    years = 0,
    months = 0,
    weeks = 0,
    days = 0,
    hours = 0,
    minutes = 0,
    seconds = 0,
    milliseconds = 0,
  } = duration;
  const totalDays = years * 365 + months * 30 + weeks * 7 + days;
  return (
    ((totalDays * 24 + hours) * 60 + minutes) * 60_000 +
    seconds * 1000 +
    milliseconds
  );
}

/** `backend.server.*` onto the Node server, as `applyDefaults()` does. */
function applyServerSettings({
  config,
  server,
  logger,
}: RootHttpRouterConfigureContext) {
  const serverConfig = config.getOptionalConfig('backend.server');
  if (!serverConfig) return;
  const readDuration = (key: string): number | undefined => {
    if (!serverConfig.has(key)) return undefined;
    const value = serverConfig.getOptional(key);
    if (typeof value === 'number') return value;
    try {
      return durationMs(readDurationFromConfig(serverConfig, { key }));
    } catch (error) {
      logger.warn(
        `Failed to parse backend.server.${key} as duration: ${error}. Expected a number (milliseconds), duration string (e.g., '30s'), ISO duration (e.g., 'PT30S'), or duration object (e.g., {seconds: 30}). Falling back to number parsing.`,
      );
      return undefined;
    }
  };
  for (const key of [
    'headersTimeout',
    'requestTimeout',
    'keepAliveTimeout',
    'timeout',
  ] as const) {
    const value = readDuration(key);
    if (value !== undefined) server[key] = value;
  }
  for (const key of ['maxHeadersCount', 'maxRequestsPerSocket'] as const) {
    const value = serverConfig.getOptionalNumber(key);
    if (value !== undefined) server[key] = value;
  }
}

/**
 * What `applyDefaults()` of @backstage/backend-defaults 0.19 does, in its order, with
 * {@link requestLogging} in place of `middleware.logging()`. `applyDefaults()` cannot be
 * called with another logging middleware, so its steps are repeated here;
 * rootHttpRouter.test.ts compares the two and fails when an upgrade changes the defaults.
 */
export function configureRootHttpRouter(
  context: RootHttpRouterConfigureContext,
) {
  const { app, config, middleware, healthRouter, routes, logger } = context;
  if (process.env.NODE_ENV === 'development') {
    app.set('json spaces', 2);
  }
  const trustProxy = config.getOptional('backend.trustProxy');
  if (trustProxy !== undefined) {
    app.set('trust proxy', trustProxy);
  }
  applyServerSettings(context);
  app.use(middleware.helmet());
  app.use(middleware.cors());
  app.use(middleware.compression());
  app.use(requestLogging(logger));
  app.use(middleware.rateLimit());
  app.use(healthRouter);
  app.use(routes);
  app.use(middleware.notFound());
  app.use(middleware.error());
}

/** The root HTTP router with Backstage's defaults, logging no query string under /api/auth. */
export const rootHttpRouter = rootHttpRouterServiceFactory({
  configure: configureRootHttpRouter,
});
