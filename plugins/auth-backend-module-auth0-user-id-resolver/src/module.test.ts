import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import authPlugin from '@backstage/plugin-auth-backend';
import auth0Module from '@backstage-auth0/plugin-auth-backend-module-auth0';
import { authModuleAuth0UserIdResolver } from './module';

jest.setTimeout(30_000);

function backendResolvingWith(resolver: string) {
  return startTestBackend({
    features: [
      authPlugin,
      auth0Module,
      authModuleAuth0UserIdResolver,
      catalogServiceMock.factory({ entities: [] }),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          auth: {
            environment: 'development',
            providers: {
              auth0: {
                development: {
                  domain: 'tenant.example.com',
                  clientId: 'client-id',
                  clientSecret: 'client-secret',
                  signIn: { resolvers: [{ resolver }] },
                },
              },
            },
          },
        },
      }),
    ],
  });
}

describe('authModuleAuth0UserIdResolver', () => {
  it('makes its resolver available to the Auth0 provider by name', async () => {
    await expect(
      backendResolvingWith('auth0UserIdMatchingUserEntityAnnotation'),
    ).resolves.toBeDefined();
  });

  it('leaves unknown names refused, listing what is available', async () => {
    await expect(backendResolvingWith('auth0UserId')).rejects.toThrow(
      'resolver "auth0UserId" does not exist (available: auth0UserIdMatchingUserEntityAnnotation, emailLocalPartMatchingUserEntityName, emailMatchingUserEntityProfileEmail)',
    );
  });
});
