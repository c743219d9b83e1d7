import { request } from 'node:http';
import {
  coreServices,
  createServiceFactory,
  type RootHttpRouterService,
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

describe('loggedUrl', () => {
  it.each([
    [
      '/api/auth/auth0/handler/frame?code=SECRET&state=SECRET',
      '/api/auth/auth0/handler/frame',
    ],
    ['/api/auth/auth0/start?env=production', '/api/auth/auth0/start'],
    ['/api/auth?x=SECRET', '/api/auth'],
    // Express routes without regard to case; percent-decoding errs on the side of leaving out.
    [
      '/API/Auth/auth0/handler/frame?code=SECRET',
      '/API/Auth/auth0/handler/frame',
    ],
    [
      '/api/%61uth/auth0/handler/frame?code=SECRET',
      '/api/%61uth/auth0/handler/frame',
    ],
    // An absolute-form request target, routed by its path.
    [
      'http://localhost:7007/api/auth/auth0/handler/frame?code=SECRET',
      'http://localhost:7007/api/auth/auth0/handler/frame',
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
    'http://localhost:7007/api/catalog/entities?filter=kind=user',
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

type Handler = Parameters<RootHttpRouterService['use']>[1];

/** A response as received: status, headers and body. */
type Received = {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
};

describe('the root HTTP router', () => {
  const log = new RecordingLog();
  let context: RootHttpRouterConfigureContext;
  let port: number;
  let requests = 0;

  beforeAll(async () => {
    const tester = ServiceFactoryTester.from(
      rootHttpRouterServiceFactory({
        configure(ctx) {
          context = ctx;
          configureRootHttpRouter(ctx);
        },
      }),
      {
        dependencies: [
          mockServices.rootConfig.factory({
            data: {
              backend: {
                baseUrl: 'http://localhost:7007',
                listen: { host: '127.0.0.1', port: 0 },
              },
            },
          }),
          createServiceFactory({
            service: coreServices.rootLogger,
            deps: {},
            factory: () => log.logger(),
          }),
        ],
      },
    );
    const router = await tester.getSubject();
    // Stands in for the auth plugin: answers with what it received.
    const echo: Handler = (req, res) => {
      res.json({ query: req.query, originalUrl: req.originalUrl });
    };
    router.use('/api/auth', echo);
    const address = context.server.address();
    if (!address || typeof address === 'string') {
      throw new Error(`unexpected server address ${address}`);
    }
    port = address.port;
  });
  afterAll(
    () =>
      new Promise<void>(resolve => {
        if (context) context.server.close(() => resolve());
        else resolve();
      }),
  );

  /**
   * Sends GET `target` (as it is on the request line) with `headers`, each call with its
   * own user agent; the response and the request log entry written for it.
   */
  async function get(target: string, headers: Record<string, string> = {}) {
    requests += 1;
    const userAgent = `rootHttpRouter-test-${requests}`;
    // The router logs on the response's 'finish', which may come after the client has
    // read the response: wait for the entry rather than look for it now.
    const logged = log.next(
      entry =>
        entry.meta.type === 'incomingRequest' &&
        entry.meta.userAgent === userAgent,
    );
    const response = await new Promise<Received>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: target,
          headers: { ...headers, 'user-agent': userAgent },
        },
        res => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', chunk => {
            body += chunk;
          });
          res.on('end', () =>
            resolve({ status: res.statusCode!, headers: res.headers, body }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
    return { response, entry: await logged, userAgent };
  }

  const callback =
    '/api/auth/auth0/handler/frame?code=SECRET_CODE&state=SECRET_STATE';

  it('logs the OAuth callback with its path, without its code or state', async () => {
    const { response, entry, userAgent } = await get(callback);
    expect(response.status).toBe(200);
    expect(JSON.stringify(entry)).not.toMatch(/SECRET_CODE|SECRET_STATE/);
    expect(entry.message).toBe(
      `"GET /api/auth/auth0/handler/frame HTTP/1.1" 200 ${response.headers['content-length']} "-" "${userAgent}"`,
    );
    expect(entry.meta).toMatchObject({
      service: 'rootHttpRouter',
      type: 'incomingRequest',
      method: 'GET',
      url: '/api/auth/auth0/handler/frame',
      status: 200,
    });
  });

  it('gives the auth route its query string all the same', async () => {
    const { response, entry } = await get(callback);
    expect(JSON.parse(response.body)).toEqual({
      query: { code: 'SECRET_CODE', state: 'SECRET_STATE' },
      originalUrl: callback,
    });
    expect(entry.meta.url).toBe('/api/auth/auth0/handler/frame');
  });

  it.each([
    // Express routes without regard to case, and by the path of an absolute-form target:
    // these reach the auth route.
    [
      '/API/Auth/auth0/handler/frame?code=SECRET_CODE',
      '/API/Auth/auth0/handler/frame',
      '{"code":"SECRET_CODE"}',
    ],
    [
      'http://localhost:7007/api/auth/auth0/handler/frame?code=SECRET_CODE',
      'http://localhost:7007/api/auth/auth0/handler/frame',
      '{"code":"SECRET_CODE"}',
    ],
    // Express 4 does not decode the path before routing, so this one is a 404; the log
    // leaves out its query all the same.
    [
      '/api/%61uth/auth0/handler/frame?code=SECRET_CODE',
      '/api/%61uth/auth0/handler/frame',
      undefined,
    ],
  ])('logs %s without its query', async (target, url, routeQuery) => {
    const { response, entry } = await get(target);
    const received = response.body
      ? JSON.stringify(JSON.parse(response.body).query)
      : undefined;
    expect(received).toBe(routeQuery);
    expect(entry.meta.url).toBe(url);
    expect(JSON.stringify(entry)).not.toContain('SECRET_CODE');
  });

  it('logs any other request with its query string', async () => {
    const { response, entry } = await get(
      '/api/catalog/entities?filter=kind=user',
      { referer: 'http://localhost:3000/catalog?filters=1' },
    );
    expect(response.status).toBe(404);
    expect(entry.meta).toMatchObject({
      url: '/api/catalog/entities?filter=kind=user',
      referrer: 'http://localhost:3000/catalog?filters=1',
      status: 404,
    });
  });

  it.each(['referer', 'referrer'])(
    'logs a %s header under /api/auth without its query string',
    async header => {
      const { entry, userAgent } = await get('/api/catalog/entities?x=1', {
        [header]:
          'http://localhost:7007/api/auth/auth0/handler/frame?code=SECRET_CODE&state=SECRET_STATE',
      });
      expect(JSON.stringify(entry)).not.toMatch(/SECRET_CODE|SECRET_STATE/);
      expect(entry.meta.referrer).toBe(
        'http://localhost:7007/api/auth/auth0/handler/frame',
      );
      expect(entry.message).toBe(
        `"GET /api/catalog/entities?x=1 HTTP/1.1" 404 0 "http://localhost:7007/api/auth/auth0/handler/frame" "${userAgent}"`,
      );
    },
  );
});
