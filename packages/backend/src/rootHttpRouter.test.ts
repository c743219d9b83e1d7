import {
  coreServices,
  createServiceFactory,
  type RootLoggerService,
} from '@backstage/backend-plugin-api';
import {
  rootHttpRouterServiceFactory,
  type RootHttpRouterConfigureContext,
} from '@backstage/backend-defaults/rootHttpRouter';
import {
  mockServices,
  ServiceFactoryTester,
} from '@backstage/backend-test-utils';
import {
  configureRootHttpRouter,
  loggedReferrer,
  loggedUrl,
} from './rootHttpRouter';

type LogEntry = { message: string; meta: Record<string, unknown> };

/** A root logger that keeps what it is given and resolves waits for an entry. */
class RecordingLog {
  readonly entries: LogEntry[] = [];
  #waiting: Array<{
    matches: (entry: LogEntry) => boolean;
    resolve: (entry: LogEntry) => void;
  }> = [];

  logger(fields: Record<string, unknown> = {}): RootLoggerService {
    const log = (message: string, meta?: unknown) =>
      this.#add({
        message,
        meta: { ...fields, ...(meta as Record<string, unknown>) },
      });
    return {
      error: log,
      warn: log,
      info: log,
      debug: log,
      child: (meta: Record<string, unknown>) =>
        this.logger({ ...fields, ...meta }),
    } as RootLoggerService;
  }

  /** The first entry that matches, once there is one. */
  next(matches: (entry: LogEntry) => boolean): Promise<LogEntry> {
    const found = this.entries.find(matches);
    if (found) return Promise.resolve(found);
    return new Promise(resolve => this.#waiting.push({ matches, resolve }));
  }

  #add(entry: LogEntry) {
    this.entries.push(entry);
    this.#waiting = this.#waiting.filter(waiter => {
      if (!waiter.matches(entry)) return true;
      waiter.resolve(entry);
      return false;
    });
  }
}

const configData = {
  backend: {
    baseUrl: 'http://localhost:7007',
    listen: { host: '127.0.0.1', port: 0 },
    trustProxy: 1,
    server: {
      headersTimeout: 61_000,
      requestTimeout: '2 minutes',
      keepAliveTimeout: { seconds: 65 },
      timeout: 'PT3M',
      maxHeadersCount: 150,
      maxRequestsPerSocket: 90,
    },
  },
};

/** A started root HTTP router configured by `configure`; what it was configured with. */
async function startRouter(
  configure: (context: RootHttpRouterConfigureContext) => void,
) {
  const log = new RecordingLog();
  let context: RootHttpRouterConfigureContext | undefined;
  const tester = ServiceFactoryTester.from(
    rootHttpRouterServiceFactory({
      configure(ctx) {
        context = ctx;
        configure(ctx);
      },
    }),
    {
      dependencies: [
        mockServices.rootConfig.factory({ data: configData }),
        createServiceFactory({
          service: coreServices.rootLogger,
          deps: {},
          factory: () => log.logger(),
        }),
      ],
    },
  );
  const router = await tester.getSubject();
  const ctx = context!;
  const address = ctx.server.address();
  if (!address || typeof address === 'string') {
    throw new Error(`unexpected server address ${address}`);
  }
  return {
    router,
    context: ctx,
    log,
    baseUrl: `http://127.0.0.1:${address.port}`,
    stop: () => new Promise<void>(resolve => ctx.server.close(() => resolve())),
  };
}

/** The names of the middleware that `app.use` added, in order (Express 4's router stack). */
function middlewareNames(app: RootHttpRouterConfigureContext['app']) {
  const router = (app as any)._router ?? (app as any).router;
  return (router.stack as Array<{ name: string }>).map(layer => layer.name);
}

describe('loggedUrl', () => {
  it.each([
    [
      '/api/auth/auth0/handler/frame?code=SECRET&state=SECRET',
      '/api/auth/auth0/handler/frame',
    ],
    ['/api/auth/auth0/start?env=production', '/api/auth/auth0/start'],
    ['/api/auth?x=SECRET', '/api/auth'],
    // Express routes without regard to case, so these reach the auth plugin too.
    [
      '/API/Auth/auth0/handler/frame?code=SECRET',
      '/API/Auth/auth0/handler/frame',
    ],
    [
      '/api/%61uth/auth0/handler/frame?code=SECRET',
      '/api/%61uth/auth0/handler/frame',
    ],
    ['/api/auth/auth0/handler/frame', '/api/auth/auth0/handler/frame'],
  ])('leaves out the query string of %s', (url, expected) => {
    expect(loggedUrl(url)).toBe(expected);
  });

  it.each([
    '/api/catalog/entities?filter=kind=user',
    '/api/authentication?x=1',
    '/api/app/auth?x=1',
    '/?code=1',
    '/api/%E0%A4%A?x=1',
  ])('keeps %s as it is', url => {
    expect(loggedUrl(url)).toBe(url);
  });
});

describe('loggedReferrer', () => {
  it('leaves out the query string of a page under /api/auth', () => {
    expect(
      loggedReferrer(
        'http://localhost:7007/api/auth/auth0/handler/frame?code=SECRET&state=SECRET',
      ),
    ).toBe('http://localhost:7007/api/auth/auth0/handler/frame');
  });

  it('keeps any other referrer as it is', () => {
    for (const referrer of [
      'http://localhost:3000/catalog?filters[kind]=user',
      'https://tenant.eu.auth0.com/u/login?state=theirs',
      'not a url?x=1',
    ]) {
      expect(loggedReferrer(referrer)).toBe(referrer);
    }
  });
});

describe('the root HTTP router', () => {
  let defaults: Awaited<ReturnType<typeof startRouter>>;
  let ours: Awaited<ReturnType<typeof startRouter>>;

  beforeAll(async () => {
    defaults = await startRouter(ctx => ctx.applyDefaults());
    ours = await startRouter(configureRootHttpRouter);
  });
  afterAll(async () => {
    await defaults?.stop();
    await ours?.stop();
  });

  it("applies the same defaults as Backstage's applyDefaults(), logging aside", () => {
    const defaultNames = middlewareNames(defaults.context.app);
    const ourNames = middlewareNames(ours.context.app);
    const loggingAt = ourNames.indexOf('logRequestsWithoutAuthQueries');
    expect(loggingAt).toBeGreaterThan(-1);
    // If this fails after a Backstage upgrade, applyDefaults() changed: repeat the change in
    // configureRootHttpRouter (node_modules/@backstage/backend-defaults/dist/entrypoints/
    // rootHttpRouter/rootHttpRouterServiceFactory.cjs.js).
    expect(ourNames).toEqual(
      defaultNames.map((name, index) =>
        index === loggingAt ? 'logRequestsWithoutAuthQueries' : name,
      ),
    );

    for (const setting of ['trust proxy', 'json spaces']) {
      expect(ours.context.app.get(setting)).toEqual(
        defaults.context.app.get(setting),
      );
    }
    const serverSettings = (
      server: RootHttpRouterConfigureContext['server'],
    ) => ({
      headersTimeout: server.headersTimeout,
      requestTimeout: server.requestTimeout,
      keepAliveTimeout: server.keepAliveTimeout,
      timeout: server.timeout,
      maxHeadersCount: server.maxHeadersCount,
      maxRequestsPerSocket: server.maxRequestsPerSocket,
    });
    expect(serverSettings(ours.context.server)).toEqual(
      serverSettings(defaults.context.server),
    );
    expect(serverSettings(ours.context.server)).toEqual({
      headersTimeout: 61_000,
      requestTimeout: 120_000,
      keepAliveTimeout: 65_000,
      timeout: 180_000,
      maxHeadersCount: 150,
      maxRequestsPerSocket: 90,
    });
  });

  /** Requests `path` from both routers; the request log entry each wrote for it. */
  async function requestLogged(path: string, headers: Record<string, string>) {
    const entries = [];
    for (const router of [defaults, ours]) {
      // The router logs on the response's `finish`, which may come after the client has
      // read the response: wait for the entry rather than look for it now.
      const logged = router.log.next(
        e =>
          e.meta.type === 'incomingRequest' &&
          e.meta.userAgent === headers['user-agent'],
      );
      const response = await fetch(`${router.baseUrl}${path}`, { headers });
      await response.arrayBuffer();
      const entry = await logged;
      entries.push(entry);
    }
    return { defaults: entries[0], ours: entries[1] };
  }

  it('logs a request under /api/auth without its query string, in the same shape', async () => {
    const logged = await requestLogged(
      '/api/auth/auth0/handler/frame?code=SECRET_CODE&state=SECRET_STATE',
      {
        'user-agent': 'test-auth-callback',
        referer:
          'http://localhost:7007/api/auth/auth0/handler/frame?code=SECRET_CODE',
      },
    );
    // Backstage's own logging writes both values.
    expect(JSON.stringify(logged.defaults)).toContain('SECRET_CODE');
    expect(JSON.stringify(logged.ours)).not.toMatch(/SECRET_CODE|SECRET_STATE/);
    expect(logged.ours.message).toBe(
      '"GET /api/auth/auth0/handler/frame HTTP/1.1" 404 0 "http://localhost:7007/api/auth/auth0/handler/frame" "test-auth-callback"',
    );
    expect(logged.ours.meta).toEqual({
      ...logged.defaults.meta,
      url: '/api/auth/auth0/handler/frame',
      referrer: 'http://localhost:7007/api/auth/auth0/handler/frame',
    });
    expect(logged.ours.meta).toMatchObject({
      service: 'rootHttpRouter',
      type: 'incomingRequest',
      method: 'GET',
      status: 404,
    });
  });

  it('logs any other request exactly as Backstage does', async () => {
    const logged = await requestLogged(
      '/api/catalog/entities?filter=kind=user',
      {
        'user-agent': 'test-other-request',
        referer: 'http://localhost:3000/catalog?filters=1',
      },
    );
    expect(logged.ours).toEqual(logged.defaults);
    expect(logged.ours.meta.url).toBe('/api/catalog/entities?filter=kind=user');
  });
});
