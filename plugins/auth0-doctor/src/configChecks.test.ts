import authModuleAuth0Provider from '@backstage-auth0/plugin-auth-backend-module-auth0';
import authModuleAuth0UserIdResolver from '@backstage-auth0/plugin-auth-backend-module-auth0-user-id-resolver';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import authPlugin from '@backstage/plugin-auth-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { CHECKS } from './checks';
import { checkCatalogProviderConfig, checkSignInConfig } from './configChecks';
import { LocalCatalog } from './localCatalog';

jest.setTimeout(30_000);

const base = {
  app: { baseUrl: 'http://localhost:3000' },
  backend: {
    baseUrl: 'http://localhost:7007',
    database: { client: 'better-sqlite3', connection: ':memory:' },
  },
};

/**
 * The problems the module itself lists when a backend with the resolvers the doctor knows (the
 * module's and the user-id resolver's, as this repository's backend has) starts with `data`.
 */
async function moduleProblems(data: object): Promise<string[]> {
  const started = startTestBackend({
    features: [
      authPlugin,
      authModuleAuth0Provider,
      authModuleAuth0UserIdResolver,
      catalogServiceMock.factory({ entities: [] }),
      mockServices.rootConfig.factory({ data }),
    ],
  });
  const error: Error = await started.then(
    () => {
      throw new Error('the backend started');
    },
    failure => failure,
  );
  const list = error.message.split('The Auth0 provider cannot start:\n')[1];
  expect(list).toBeDefined();
  return list
    .split('\n')
    .filter(line => line.startsWith('  - '))
    .map(line => line.slice('  - '.length));
}

describe('checkSignInConfig', () => {
  it.each([
    [
      'problems of every kind at once',
      {
        environment: 'production',
        session: { secret: 'too-short' },
        providers: {
          auth0: {
            production: {
              domain: 'https://tenant.example.com/',
              clientId: 'client-id',
              refreshResultWindow: { minutes: 5 },
              signIn: {
                resolvers: [
                  { resolver: 'emailLocalPartMatchingUserEntityName' },
                  {
                    resolver: 'emailMatchingUserEntityProfileEmail',
                    allowedDomain: ['example.com'],
                  },
                ],
                groupClaims: [{ namespace: 'Not A Namespace' }],
              },
            },
          },
        },
      },
    ],
    [
      'a sessionDuration that is no duration',
      {
        environment: 'development',
        providers: {
          auth0: {
            development: {
              domain: 'tenant.example.com',
              clientId: 'client-id',
              clientSecret: 'client-secret',
              sessionDuration: 'for ever',
              signIn: { resolvers: [] },
            },
          },
        },
      },
    ],
    [
      'no block for auth.environment',
      {
        environment: 'staging',
        providers: { auth0: { development: {} } },
      },
    ],
  ])('reports %s as the module does, word for word', async (_case, auth) => {
    const data = { ...base, auth };
    const { result, settings } = checkSignInConfig(
      new ConfigReader(data),
      new LocalCatalog(),
    );
    expect(settings).toBeUndefined();
    expect(result).toMatchObject({
      check: CHECKS.config,
      status: 'fail',
      message: 'the Auth0 provider would refuse to start',
    });
    expect(result.details).toEqual(await moduleProblems(data));
  });

  it('reads what the module reads: the callback URL, and the app to return to', () => {
    const { result, settings } = checkSignInConfig(
      new ConfigReader({
        ...base,
        auth: {
          providers: {
            auth0: {
              development: {
                domain: 'tenant.example.com',
                clientId: 'client-id',
                clientSecret: 'client-secret',
                audience: 'https://api.example.com',
                signIn: {
                  resolvers: [
                    { resolver: 'auth0UserIdMatchingUserEntityAnnotation' },
                    { resolver: 'emailMatchingUserEntityProfileEmail' },
                  ],
                },
              },
            },
          },
        },
      }),
      new LocalCatalog(),
    );
    expect(result).toEqual({
      check: CHECKS.config,
      status: 'pass',
      message:
        'auth.providers.auth0.development (auth.environment development): tenant tenant.example.com, client client-id, resolvers auth0UserIdMatchingUserEntityAnnotation, emailMatchingUserEntityProfileEmail',
    });
    expect(settings).toMatchObject({
      keyPrefix: 'auth.providers.auth0.development',
      callbackUrl: 'http://localhost:7007/api/auth/auth0/handler/frame',
      appOrigin: 'http://localhost:3000',
      unknownResolvers: [],
      context: { settings: { audience: 'https://api.example.com' } },
    });
  });

  it('warns about resolvers it does not know, and runs them as finding nobody', async () => {
    const { result, settings } = checkSignInConfig(
      new ConfigReader({
        ...base,
        auth: {
          providers: {
            auth0: {
              development: {
                domain: 'tenant.example.com',
                clientId: 'client-id',
                clientSecret: 'client-secret',
                callbackUrl: 'https://backstage.example.com/callback',
                signIn: {
                  resolvers: [{ resolver: 'myCompanyResolver', team: 'x' }],
                },
              },
            },
          },
        },
      }),
      new LocalCatalog(),
    );
    expect(result.status).toBe('warn');
    expect(result.message).toContain(
      'the doctor does not know myCompanyResolver',
    );
    expect(settings?.callbackUrl).toBe(
      'https://backstage.example.com/callback',
    );
    await expect(
      settings!.chain.resolve(
        {
          profile: { email: 'ana@example.com' },
          result: {
            fullProfile: { sub: 'auth0|ana', email: 'ana@example.com' },
            session: { accessToken: '', tokenType: 'Bearer', scope: 'openid' },
          },
        },
        new LocalCatalog().resolverContext(),
      ),
    ).rejects.toMatchObject({ name: 'CatalogUserNotFoundError' });
  });
});

describe('checkCatalogProviderConfig', () => {
  it("lists the catalog module's own problems", () => {
    const { result, providers } = checkCatalogProviderConfig(
      new ConfigReader({
        catalog: {
          providers: {
            auth0: { production: { domain: 'https://tenant.example.com' } },
          },
        },
      }),
    );
    expect(providers).toEqual([]);
    expect(result).toMatchObject({
      check: CHECKS.catalogProviderConfig,
      status: 'fail',
      details: [
        expect.stringMatching(
          /^catalog\.providers\.auth0\.production\.domain is "https:\/\/tenant\.example\.com": give the host name only/,
        ),
        expect.stringMatching(
          /^catalog\.providers\.auth0\.production\.clientId is missing/,
        ),
        expect.stringMatching(
          /^catalog\.providers\.auth0\.production\.clientSecret is missing/,
        ),
      ],
    });
  });

  it('has nothing to say without catalog.providers.auth0', () => {
    expect(checkCatalogProviderConfig(new ConfigReader({}))).toEqual({
      providers: [],
    });
  });
});
