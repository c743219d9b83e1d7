import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import authPlugin from '@backstage/plugin-auth-backend';
import {
  authProvidersExtensionPoint,
  createOAuthProviderFactory,
  createSignInResolverFactory,
} from '@backstage/plugin-auth-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createBrowser } from '@internal/auth0-dev-server/browser';
import {
  createAuth0Authenticator,
  createAuth0RefreshCoordinator,
  createAuth0SignInResolvers,
  type Auth0SignInInfo,
} from './index';
import {
  DevServer,
  signInAtDevServer,
  startDevServer,
} from './__testUtils__/devServer';

jest.setTimeout(60_000);

/** A resolver of the adopter's own, beside the built-in ones. */
const auth0IdMatchingAnnotation = createSignInResolverFactory({
  create() {
    return async (info: Auth0SignInInfo, ctx) =>
      ctx.signInWithCatalogUser({
        annotations: { 'example.com/auth0-id': info.result.fullProfile.sub },
      });
  },
});

function user(name: string, spec: object, annotations = {}) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default', annotations },
    spec,
  };
}

/**
 * What README.md shows: a module of the adopter's that registers the provider itself, with
 * this package's authenticator, refresh coordinator and built-in resolvers.
 */
function adoptersModule(auth0: DevServer) {
  return createBackendModule({
    pluginId: 'auth',
    moduleId: 'my-auth0-provider',
    register(reg) {
      reg.registerInit({
        deps: {
          providers: authProvidersExtensionPoint,
          database: coreServices.database,
          logger: coreServices.logger,
          auth: coreServices.auth,
          catalog: catalogServiceRef,
        },
        async init({ providers, database, logger, auth, catalog }) {
          const refreshCoordinator = await createAuth0RefreshCoordinator({
            database,
            logger,
          });
          providers.registerProvider({
            providerId: 'auth0',
            factory: createOAuthProviderFactory({
              authenticator: createAuth0Authenticator({
                refreshCoordinator,
                fetch: auth0.fetch,
              }),
              signInResolverFactories: {
                ...createAuth0SignInResolvers({ catalog, auth, logger }),
                auth0IdMatchingAnnotation,
              },
            }),
          });
        },
      });
    },
  });
}

describe('the exported API, composed by another module', () => {
  let auth0: DevServer;
  let baseUrl: string;

  beforeAll(async () => {
    auth0 = await startDevServer();
    const backend = await startTestBackend({
      features: [
        authPlugin,
        adoptersModule(auth0),
        catalogServiceMock.factory({
          entities: [
            user('chris', { profile: { email: 'chris@example.com' } }),
            user('nia', {}, { 'example.com/auth0-id': 'auth0|newhire' }),
          ],
        }),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            auth: {
              environment: 'development',
              providers: {
                auth0: {
                  development: {
                    domain: auth0.domain,
                    clientId: auth0.clientId,
                    clientSecret: auth0.clientSecret,
                    signIn: {
                      resolvers: [
                        { resolver: 'auth0IdMatchingAnnotation' },
                        {
                          resolver: 'emailMatchingUserEntityProfileEmail',
                          allowedDomains: ['example.com'],
                        },
                      ],
                    },
                  },
                },
              },
            },
          },
        }),
      ],
    });
    baseUrl = `http://localhost:${backend.server.port()}`;
  });

  afterAll(async () => {
    await auth0?.stop();
  });

  /** The popup flow up to the message its last page posts to the app. */
  async function signIn(person: string) {
    const browser = createBrowser({ caFile: auth0.caFile });
    try {
      const callback = await signInAtDevServer({
        browser,
        url: `${baseUrl}/api/auth/auth0/start?env=development&scope=openid`,
        user: person,
        callbackUrl: `${baseUrl}/api/auth/auth0/handler/frame`,
      });
      const page = await browser.get(callback.href);
      const encoded = /decodeURIComponent\('([^']*)'\)/.exec(page.body)![1];
      return JSON.parse(decodeURIComponent(encoded));
    } finally {
      await browser.close();
    }
  }

  it('signs in with a built-in resolver', async () => {
    const message = await signIn('chris');
    expect(message.error).toBeUndefined();
    expect(message.response.backstageIdentity.identity.userEntityRef).toBe(
      'user:default/chris',
    );
  });

  it('signs in with the adopter’s own resolver', async () => {
    const message = await signIn('newhire');
    expect(message.error).toBeUndefined();
    expect(message.response.backstageIdentity.identity.userEntityRef).toBe(
      'user:default/nia',
    );
  });
});
