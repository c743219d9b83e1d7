import request from 'supertest';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import authPlugin from '@backstage/plugin-auth-backend';
import { authModuleAuth0Provider } from './module';

jest.setTimeout(30_000);

function backendWithAuth0(auth0: object, auth: object = {}) {
  return startTestBackend({
    features: [
      authPlugin,
      authModuleAuth0Provider,
      catalogServiceMock.factory({ entities: [] }),
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: 'http://localhost:3000' },
          auth: {
            environment: 'development',
            session: { secret: 'test-session-secret' },
            providers: { auth0 },
            ...auth,
          },
        },
      }),
    ],
  });
}

const development = {
  domain: 'tenant.example.com',
  clientId: 'client-id',
  clientSecret: 'client-secret',
  signIn: { resolvers: [{ resolver: 'emailMatchingUserEntityProfileEmail' }] },
};

describe('authModuleAuth0Provider', () => {
  it('starts the flow at the tenant with the scopes every session needs', async () => {
    const { server } = await backendWithAuth0({ development });
    const response = await request(server).get(
      '/api/auth/auth0/start?env=development&scope=openid',
    );
    expect(response.status).toBe(302);
    const location = new URL(response.header.location);
    expect(`${location.origin}${location.pathname}`).toBe(
      'https://tenant.example.com/authorize',
    );
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'client-id',
      redirect_uri: expect.stringMatching(
        /\/api\/auth\/auth0\/handler\/frame$/,
      ),
      scope: 'openid profile email offline_access',
      nonce: expect.any(String),
      state: expect.any(String),
    });
    expect(location.searchParams.has('client_secret')).toBe(false);
    expect(location.searchParams.has('prompt')).toBe(false);
  });

  it('refuses to start, listing every problem, when the configuration is wrong', async () => {
    const attempt = backendWithAuth0({
      development: {
        domain: 'https://tenant.example.com',
        clientId: 'client-id',
        signIn: {
          resolvers: [{ resolver: 'emailMatchingUserEntityProfileEmial' }],
        },
      },
    });
    await expect(attempt).rejects.toThrow(
      /domain is "https:\/\/tenant.example.com": give the host name only[\s\S]*clientSecret is missing: set AUTH_AUTH0_CLIENT_SECRET[\s\S]*"emailMatchingUserEntityProfileEmial" does not exist/,
    );
  });

  it('uses only the block of the active auth environment', async () => {
    const { server } = await backendWithAuth0({
      development,
      production: { domain: 'https://ignored.example.com' },
    });
    const response = await request(server).get(
      '/api/auth/auth0/start?env=production',
    );
    expect(response.status).toBe(404);
  });
});
