import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import {
  coreServices,
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import authPlugin from '@backstage/plugin-auth-backend';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import {
  catalogProcessingExtensionPoint,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import {
  createBrowser,
  type Browser,
} from '@internal/auth0-dev-server/browser';
import { authModuleAuth0Provider } from './module';
import { REFRESH_SPAN } from './tracing';
import {
  DevServer,
  signInAtDevServer,
  startDevServer,
} from './__testUtils__/devServer';

jest.setTimeout(120_000);

/*
 * The refresh path of the module in a backend with the real auth and catalog plugins, against
 * the dev server: the identity cache (a hit asks the catalog nothing; TTL 0 turns it off; a
 * user deleted from the catalog is refused at the first refresh after the TTL; a failing cache
 * falls back to the catalog) and the tracing spans of one refresh.
 */

const spans = new InMemorySpanExporter();
const tracerProvider = new TracerProvider({
  spanProcessors: [new SimpleSpanProcessor({ exporter: spans })],
});
const contextManager = new AsyncLocalStorageContextManager();

function user(name: string, email: string, memberOf: string[]): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: { profile: { email }, memberOf },
  };
}

const group = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [] },
});

const ROLES = 'https://backstage.example.com/roles';

const CATALOG = [
  user('chris', 'chris@example.com', ['payments-team']),
  user('alex', 'alex@example.com', []),
  group('payments-team'),
  group('platform-team'),
];

/** What the catalog holds: an entity provider of the test, whose entities it replaces. */
function testCatalog() {
  let connect!: (connection: EntityProviderConnection) => void;
  const connection = new Promise<EntityProviderConnection>(
    resolve => (connect = resolve),
  );
  return {
    module: createBackendModule({
      pluginId: 'catalog',
      moduleId: 'test-entities',
      register(reg) {
        reg.registerInit({
          deps: { processing: catalogProcessingExtensionPoint },
          async init({ processing }) {
            processing.addEntityProvider({
              getProviderName: () => 'test-entities',
              connect: async c => connect(c),
            });
          },
        });
      },
    }),
    async replace(entities: Entity[]) {
      await (
        await connection
      ).applyMutation({
        type: 'full',
        entities: entities.map(entity => ({
          entity: {
            ...entity,
            metadata: {
              ...entity.metadata,
              annotations: {
                'backstage.io/managed-by-location':
                  'url:https://example.com/org.yaml',
                'backstage.io/managed-by-origin-location':
                  'url:https://example.com/org.yaml',
              },
            },
          },
          locationKey: 'test-entities',
        })),
      });
    },
  };
}

/** Counts the requests that reach the catalog's API, whoever sends them. */
function catalogRequestCounter() {
  let count = 0;
  return {
    module: createBackendModule({
      pluginId: 'catalog',
      moduleId: 'request-counter',
      register(reg) {
        reg.registerInit({
          deps: { http: coreServices.httpRouter },
          async init({ http }) {
            http.use((_req, _res, next) => {
              count++;
              next();
            });
          },
        });
      },
    }),
    count: () => count,
    reset: () => (count = 0),
  };
}

/** The auth plugin's cache, failing as a cache whose Redis is down does. */
const unreachableCache = createServiceFactory({
  service: coreServices.cache,
  deps: {},
  factory() {
    const down = () =>
      Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    const cache = {
      get: down,
      set: down,
      delete: down,
      withOptions: () => cache,
    };
    return cache;
  },
});

async function startBackend(
  auth0: DevServer,
  signIn: object,
  extraFeatures: any[] = [],
) {
  const catalog = testCatalog();
  const catalogRequests = catalogRequestCounter();
  const backend = await startTestBackend({
    features: [
      authPlugin,
      authModuleAuth0Provider,
      catalogPlugin,
      catalog.module,
      catalogRequests.module,
      ...extraFeatures,
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          auth: {
            environment: 'development',
            session: { secret: 'test-session-secret' },
            providers: {
              auth0: {
                development: {
                  domain: auth0.domain,
                  clientId: auth0.clientId,
                  clientSecret: auth0.clientSecret,
                  signIn: {
                    resolvers: [
                      { resolver: 'emailMatchingUserEntityProfileEmail' },
                    ],
                    ...signIn,
                  },
                },
              },
            },
          },
        },
      }),
    ],
  });
  const baseUrl = `http://localhost:${backend.server.port()}`;
  await catalog.replace(CATALOG);
  await untilCatalogServes(baseUrl, ['chris', 'alex']);
  return { baseUrl, catalog, catalogRequests, stop: () => backend.stop() };
}

async function catalogUsers(baseUrl: string): Promise<string[]> {
  const response = await request(baseUrl)
    .get('/api/catalog/entities/by-query?filter=kind=user')
    .set('authorization', mockCredentials.service.header());
  return (response.body.items ?? []).map(
    (entity: Entity) => entity.metadata.name,
  );
}

async function untilCatalogServes(baseUrl: string, names: string[]) {
  const serves = (served: string[]) =>
    served.length === names.length &&
    names.every(name => served.includes(name));
  while (!serves(await catalogUsers(baseUrl))) {
    await sleep(100);
  }
}

describe('the refresh path', () => {
  let auth0: DevServer;
  const browsers: Browser[] = [];
  const realFetch = globalThis.fetch;

  beforeAll(async () => {
    auth0 = await startDevServer();
    // The module reaches Auth0 with the global fetch; this one trusts the dev server's CA.
    globalThis.fetch = auth0.fetch;
    trace.setGlobalTracerProvider(tracerProvider);
    context.setGlobalContextManager(contextManager.enable());
  });

  afterAll(async () => {
    globalThis.fetch = realFetch;
    await Promise.all(browsers.map(browser => browser.close()));
    trace.disable();
    context.disable();
    await auth0?.stop();
  });

  async function signIn(baseUrl: string, person: string) {
    const browser = createBrowser({ caFile: auth0.caFile });
    browsers.push(browser);
    const callback = await signInAtDevServer({
      browser,
      url: `${baseUrl}/api/auth/auth0/start?env=development&scope=openid`,
      user: person,
      callbackUrl: `${baseUrl}/api/auth/auth0/handler/frame`,
    });
    const page = await browser.get(callback.href);
    const encoded = /decodeURIComponent\('([^']*)'\)/.exec(page.body)![1];
    const message = JSON.parse(decodeURIComponent(encoded));
    expect(message.error).toBeUndefined();
    return browser;
  }

  async function refresh(browser: Browser, baseUrl: string) {
    const response = await browser.request(
      `${baseUrl}/api/auth/auth0/refresh?env=development&scope=openid`,
      { headers: { 'x-requested-with': 'XMLHttpRequest' } },
    );
    return {
      status: response.status,
      body: response.body ? JSON.parse(response.body) : undefined,
    };
  }

  describe('with the identity cache on (the default TTL)', () => {
    let backend: Awaited<ReturnType<typeof startBackend>>;
    beforeAll(async () => {
      backend = await startBackend(auth0, {});
    });
    afterAll(() => backend?.stop());

    it('refreshes from the cached identity without asking the catalog', async () => {
      const browser = await signIn(backend.baseUrl, 'chris');
      backend.catalogRequests.reset();
      for (let i = 0; i < 3; i++) {
        const { status, body } = await refresh(browser, backend.baseUrl);
        expect(status).toBe(200);
        expect(body.backstageIdentity.identity).toEqual({
          type: 'user',
          userEntityRef: 'user:default/chris',
          ownershipEntityRefs: [
            'user:default/chris',
            'group:default/payments-team',
          ],
        });
      }
      expect(backend.catalogRequests.count()).toBe(0);
    });

    it('records the spans of a refresh, from the cache, under auth0.refresh', async () => {
      const browser = await signIn(backend.baseUrl, 'alex');
      spans.reset();
      expect((await refresh(browser, backend.baseUrl)).status).toBe(200);
      await untilStoreSpans(1);
      expect(spanTree()).toEqual([
        `${REFRESH_SPAN}`,
        `  ${REFRESH_SPAN}.coordination step=claim`,
        `  ${REFRESH_SPAN}.coordination step=store`,
        `  ${REFRESH_SPAN}.id_token_verify`,
        `  ${REFRESH_SPAN}.identity_cache step=read hit=true`,
        `  ${REFRESH_SPAN}.issue_token`,
        `  ${REFRESH_SPAN}.token_request`,
      ]);
      expectNoPersonalData();
    });
  });

  it('asks the catalog at every refresh with identityCacheTtl 0, and traces the resolver', async () => {
    const backend = await startBackend(auth0, { identityCacheTtl: 0 });
    try {
      const browser = await signIn(backend.baseUrl, 'chris');
      backend.catalogRequests.reset();
      spans.reset();
      for (let i = 1; i <= 2; i++) {
        expect((await refresh(browser, backend.baseUrl)).status).toBe(200);
        expect(backend.catalogRequests.count()).toBeGreaterThanOrEqual(i);
      }
      await untilStoreSpans(2);
      const tree = spanTree();
      // The second refresh, as the first also removes expired rows of the coordination table.
      expect(tree.slice(tree.lastIndexOf(REFRESH_SPAN))).toEqual([
        `${REFRESH_SPAN}`,
        `  ${REFRESH_SPAN}.coordination step=claim`,
        `  ${REFRESH_SPAN}.coordination step=store`,
        `  ${REFRESH_SPAN}.id_token_verify`,
        `  ${REFRESH_SPAN}.resolve`,
        `    ${REFRESH_SPAN}.issue_token`,
        `    ${REFRESH_SPAN}.ownership`,
        `  ${REFRESH_SPAN}.token_request`,
      ]);
      expectNoPersonalData();
    } finally {
      await backend.stop();
    }
  });

  it('applies the roles claim of every refresh’s ID token from the cache, asking the catalog nothing', async () => {
    const backend = await startBackend(auth0, {
      groupClaims: [{ claim: ROLES }],
    });
    try {
      await auth0.admin.updateUser('chris', { rolesClaim: ['Platform Team'] });
      const browser = await signIn(backend.baseUrl, 'chris');
      backend.catalogRequests.reset();
      const ownership = async () => {
        const { status, body } = await refresh(browser, backend.baseUrl);
        expect(status).toBe(200);
        return [...body.backstageIdentity.identity.ownershipEntityRefs].sort();
      };
      await expect(ownership()).resolves.toEqual([
        'group:default/payments-team',
        'group:default/platform-team',
        'user:default/chris',
      ]);
      // As after removing the role in Auth0: the next refresh's ID token has no roles.
      await auth0.admin.updateUser('chris', { roles: [], rolesClaim: null });
      await expect(ownership()).resolves.toEqual([
        'group:default/payments-team',
        'user:default/chris',
      ]);
      expect(backend.catalogRequests.count()).toBe(0);
    } finally {
      await auth0.admin.reset();
      await backend.stop();
    }
  });

  it('refuses a user deleted from the catalog at the first refresh after the TTL', async () => {
    const ttlMs = 3_000;
    const backend = await startBackend(auth0, {
      identityCacheTtl: { milliseconds: ttlMs },
    });
    try {
      const browser = await signIn(backend.baseUrl, 'chris');
      const cachedAt = Date.now();
      await backend.catalog.replace(
        CATALOG.filter(e => e.metadata.name !== 'chris'),
      );
      await untilCatalogServes(backend.baseUrl, ['alex']);

      // Within the TTL the cached identity still refreshes: what the TTL trades.
      expect(Date.now() - cachedAt).toBeLessThan(ttlMs);
      expect((await refresh(browser, backend.baseUrl)).status).toBe(200);

      await sleep(ttlMs - (Date.now() - cachedAt));
      const after = await refresh(browser, backend.baseUrl);
      expect(after.status).toBe(401);
      expect(after.body.error.message).toContain(
        'No Backstage user has the email chris@example.com',
      );
    } finally {
      await backend.stop();
    }
  });

  it('resolves in the catalog when the cache cannot be reached', async () => {
    const backend = await startBackend(auth0, {}, [unreachableCache]);
    try {
      const browser = await signIn(backend.baseUrl, 'chris');
      backend.catalogRequests.reset();
      const { status, body } = await refresh(browser, backend.baseUrl);
      expect(status).toBe(200);
      expect(body.backstageIdentity.identity.userEntityRef).toBe(
        'user:default/chris',
      );
      expect(backend.catalogRequests.count()).toBeGreaterThan(0);
    } finally {
      await backend.stop();
    }
  });
});

/**
 * The finished spans as an indented tree with their step attributes, siblings by name (some run
 * side by side: the order of their start times says nothing).
 */
function spanTree(): string[] {
  const finished = spans
    .getFinishedSpans()
    .filter(span => span.name.startsWith(REFRESH_SPAN))
    .sort((a, b) =>
      a.startTime[0] === b.startTime[0]
        ? a.startTime[1] - b.startTime[1]
        : a.startTime[0] - b.startTime[0],
    );
  const ids = new Set(finished.map(span => span.spanContext().spanId));
  const parentOf = (span: (typeof finished)[number]) => {
    const parent = span.parentSpanContext?.spanId;
    return parent && ids.has(parent) ? parent : undefined;
  };
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    const children = finished
      .filter(span => parentOf(span) === parent)
      .map(span => {
        const step =
          span.attributes['auth0.db.step'] ??
          span.attributes['auth0.cache.step'];
        const hit = span.attributes['auth0.cache.hit'];
        const label = `${span.name}${step ? ` step=${step}` : ''}${
          hit !== undefined ? ` hit=${hit}` : ''
        }`;
        return { span, label };
      })
      .sort((a, b) => (depth === 0 ? 0 : a.label.localeCompare(b.label)));
    for (const { span, label } of children) {
      lines.push(`${'  '.repeat(depth)}${label}`);
      walk(span.spanContext().spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines;
}

/** The coordinator stores a result after the response: waits until `count` are recorded. */
async function untilStoreSpans(count: number) {
  const deadline = Date.now() + 10_000;
  while (
    spans
      .getFinishedSpans()
      .filter(span => span.attributes['auth0.db.step'] === 'store').length <
    count
  ) {
    if (Date.now() > deadline) {
      throw new Error(
        `no ${count} stores among the spans: ${spanTree().join('\n')}`,
      );
    }
    await sleep(10);
  }
}

function expectNoPersonalData() {
  const attributes = JSON.stringify(
    spans.getFinishedSpans().map(span => span.attributes),
  );
  expect(attributes).not.toMatch(/@|auth0\||eyJ/);
}
