import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { AuthResolverContext } from '@backstage/plugin-auth-node';
import { Auth0Audit } from './audit';
import { Auth0ConfigError } from './config';
import { InFlightRequests } from './inFlightRequests';
import { Auth0Metrics } from './metrics';
import { createAuth0ProviderFactory } from './providerFactory';
import { Auth0RefreshCoordinator } from './refreshCoordinator';
import { createAuth0SignInResolvers } from './resolvers';

function startProvider(development: object, session: object) {
  const rootConfig = new ConfigReader({
    auth: { environment: 'production', session },
  });
  const logger = mockServices.logger.mock();
  const factory = createAuth0ProviderFactory({
    rootConfig,
    resolverFactories: createAuth0SignInResolvers({
      catalog: {} as never,
      auth: mockServices.auth(),
      logger,
    }),
    // Not called while the provider starts.
    refreshCoordinator: {} as Auth0RefreshCoordinator,
    inFlight: new InFlightRequests(),
    audit: new Auth0Audit(mockServices.auditor.mock()),
    metrics: new Auth0Metrics(),
    logger,
    catalog: {} as never,
    auth: mockServices.auth(),
    cache: mockServices.cache.mock(),
  });
  const baseUrl = 'http://localhost:7007/api/auth';
  return () =>
    factory({
      providerId: 'auth0',
      globalConfig: {
        baseUrl,
        appUrl: 'http://localhost:3000',
        isOriginAllowed: () => true,
      },
      config: new ConfigReader({ production: development }),
      logger,
      resolverContext: {} as AuthResolverContext,
      baseUrl,
      appUrl: 'http://localhost:3000',
      isOriginAllowed: () => true,
    });
}

describe('createAuth0ProviderFactory', () => {
  it('reports a bad sessionDuration together with every other problem', () => {
    const start = startProvider(
      {
        domain: 'tenant.example.com',
        clientId: 'client-id',
        clientSecret: 'client-secret',
        sessionDuration: 'a fortnight',
        signIn: { resolvers: [{ resolver: 'noSuchResolver' }] },
      },
      { secret: 'short' },
    );
    expect(start).toThrow(Auth0ConfigError);
    let problems: string[] = [];
    try {
      start();
    } catch (error) {
      problems = (error as Auth0ConfigError).problems;
    }
    expect(problems).toEqual([
      expect.stringMatching(
        /^auth\.providers\.auth0\.production: .*sessionDuration/,
      ),
      expect.stringContaining(
        'auth.providers.auth0.production.signIn.resolvers[0].resolver "noSuchResolver" does not exist',
      ),
      expect.stringContaining('auth.session.secret is 5 characters long'),
    ]);
  });
});
