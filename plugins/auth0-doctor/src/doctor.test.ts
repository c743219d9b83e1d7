// The doctor against the local Auth0 dev server and a real catalog (the catalog backend with
// Backstage's own auth services, read with a static external access token): a correct setup
// passes every check, and each broken setting makes exactly its own check fail, with its fix.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import {
  startAuth0DevServerProcessWithFetch,
  type Auth0DevServerProcessWithFetch,
} from '@internal/auth0-dev-server/caTrustingFetch';
import { CheckName, CheckResult, CHECKS } from './checks';
import { runDoctor } from './runDoctor';

jest.setTimeout(60_000);

const EVERY_CHECK = Object.values(CHECKS);

/** The tenant: two people who are in the catalog, and one Auth0 has blocked. */
const TENANT_USERS = `password: password
users:
  - { id: ana, email: ana@example.com, email_verified: true, name: Ana Silva, nickname: ana }
  - { id: ben, email: ben@example.com, email_verified: true, name: Ben Okafor, nickname: ben }
  - { id: gone, email: gone@example.com, email_verified: true, name: Gone, nickname: gone, blocked: true }
`;
const CATALOG_USERS = ['ana', 'ben']
  .map(
    name => `apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: ${name} }
spec: { profile: { email: ${name}@example.com }, memberOf: [] }
`,
  )
  .join('---\n');
/**
 * The first synthetic user of seed 1, whom the dev server adds on request: verified, not
 * blocked, and in no catalog (packages/auth0-dev-server/README.md, "Synthetic users").
 */
const NEWCOMER = 'gray.nakamura.000001@synthetic.example';

describe('the Auth0 doctor', () => {
  const catalogToken = randomBytes(24).toString('base64url');
  let workDir: string;
  let backendUrl: string;
  let auth0: Auth0DevServerProcessWithFetch;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'auth0-doctor-'));
    writeFileSync(join(workDir, 'users.yaml'), TENANT_USERS);
    writeFileSync(join(workDir, 'org.yaml'), CATALOG_USERS);
    const backend = await startTestBackend({
      features: [
        catalogPlugin,
        authServiceFactory,
        httpAuthServiceFactory,
        mockServices.rootConfig.factory({
          data: {
            backend: {
              database: { client: 'better-sqlite3', connection: ':memory:' },
              auth: {
                externalAccess: [
                  {
                    type: 'static',
                    options: { token: catalogToken, subject: 'doctor-test' },
                  },
                ],
              },
            },
            catalog: {
              rules: [{ allow: ['User', 'Location'] }],
              locations: [{ type: 'file', target: join(workDir, 'org.yaml') }],
            },
          },
        }),
      ],
    });
    backendUrl = `http://localhost:${backend.server.port()}`;
    await waitForCatalogUsers(backendUrl, catalogToken, 2);

    auth0 = await startAuth0DevServerProcessWithFetch({
      usersFile: join(workDir, 'users.yaml'),
      redirectUris: [`${backendUrl}/api/auth/auth0/handler/frame`],
      logoutUrls: ['http://localhost:3000'],
      // What docs/deployment.md asks for: twice the module's 15 s refresh lease.
      refreshTokenLeeway: 30,
    });
  });

  beforeEach(async () => {
    await auth0.admin.reset();
    // The export job completes at once; the doctor still polls it after 1 s.
    await auth0.admin.setExportJobDuration(0);
  });

  afterAll(async () => {
    await auth0?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  /** The config of a production backend on this tenant, with what `overrides` changes. */
  function config(
    overrides: {
      domain?: string;
      clientSecret?: string;
      withoutCatalogProvider?: boolean;
    } = {},
  ) {
    return new ConfigReader({
      app: { baseUrl: 'http://localhost:3000' },
      backend: {
        baseUrl: backendUrl,
        auth: {
          externalAccess: [
            {
              type: 'static',
              options: { token: catalogToken, subject: 'doctor-test' },
            },
          ],
        },
      },
      auth: {
        environment: 'production',
        session: { secret: randomBytes(32).toString('base64') },
        providers: {
          auth0: {
            production: {
              domain: overrides.domain ?? auth0.domain,
              clientId: auth0.clientId,
              clientSecret: overrides.clientSecret ?? auth0.clientSecret,
              signIn: {
                resolvers: [
                  {
                    resolver: 'emailMatchingUserEntityProfileEmail',
                    allowedDomains: ['example.com', 'synthetic.example'],
                  },
                ],
              },
            },
          },
        },
      },
      ...(overrides.withoutCatalogProvider
        ? {}
        : {
            catalog: {
              providers: {
                auth0: {
                  production: {
                    domain: auth0.domain,
                    clientId: auth0.managementClientId,
                    clientSecret: auth0.managementClientSecret,
                  },
                },
              },
            },
          }),
    });
  }

  const doctor = (overrides?: Parameters<typeof config>[0]) =>
    runDoctor({ config: config(overrides), fetch: auth0.fetch });

  /** Every check ran, in order, and only `check` failed; its result is returned. */
  function onlyFailure(results: CheckResult[], check: CheckName): CheckResult {
    expect(results.map(result => result.check)).toEqual(EVERY_CHECK);
    const failed = results.filter(result => result.status === 'fail');
    expect(failed.map(result => result.check)).toEqual([check]);
    return failed[0];
  }

  it('passes every check with a correct setup', async () => {
    const results = await doctor();
    expect(
      results.map(({ check, status, message }) => ({ check, status, message })),
    ).toEqual(
      EVERY_CHECK.map(check => ({
        check,
        status: 'pass',
        message: expect.any(String),
      })),
    );
    expect(results.find(r => r.check === CHECKS.catalogCoverage)).toEqual(
      expect.objectContaining({
        message:
          'all 2 Auth0 users would be signed in (2 catalog users; 1 blocked Auth0 users left out)',
      }),
    );
  });

  it('fails client-credentials alone for a wrong client secret', async () => {
    const failed = onlyFailure(
      await doctor({ clientSecret: 'not-the-secret' }),
      CHECKS.clientCredentials,
    );
    expect(failed.message).toMatch(
      /^Auth0 refused the client id backstage-local and its secret \(401 invalid_client/,
    );
    expect(failed.fix).toContain(
      'auth.providers.auth0.production.clientSecret (AUTH_AUTH0_CLIENT_SECRET)',
    );
  });

  it('fails discovery alone for a wrong domain, and skips what depends on it', async () => {
    const domain = `localhost:${await closedPort()}`;
    const results = await doctor({ domain });
    const failed = onlyFailure(results, CHECKS.discovery);
    expect(failed.message).toBe(
      `cannot reach https://${domain}/.well-known/openid-configuration (ECONNREFUSED)`,
    );
    expect(failed.fix).toMatch(
      /^set auth\.providers\.auth0\.production\.domain \(AUTH_AUTH0_DOMAIN\) to your tenant's domain/,
    );
    expect(
      results
        .filter(result => result.status === 'skip')
        .map(result => result.check),
    ).toEqual([CHECKS.signingKeys, CHECKS.clientCredentials]);
  });

  it('fails discovery alone when the domain is not the one the tenant names itself by', async () => {
    const port = new URL(auth0.issuer).port;
    const failed = onlyFailure(
      await doctor({ domain: `127.0.0.1:${port}` }),
      CHECKS.discovery,
    );
    expect(failed.message).toContain(
      `the tenant's issuer is ${auth0.issuer}, not https://127.0.0.1:${port}/`,
    );
    expect(failed.fix).toContain(`to localhost:${port}`);
  });

  it('fails callback-url alone when the callback URL is not registered', async () => {
    await auth0.admin.updateClient(auth0.clientId, {
      callbacks: ['https://backstage.example.com/api/auth/auth0/handler/frame'],
    });
    const failed = onlyFailure(await doctor(), CHECKS.callbackUrl);
    const callback = `${backendUrl}/api/auth/auth0/handler/frame`;
    expect(failed.message).toContain(
      `${callback}, where Auth0 must send the browser back, is not among the Allowed Callback URLs (https://backstage.example.com/api/auth/auth0/handler/frame)`,
    );
    expect(failed.fix).toBe(
      `add ${callback} to Allowed Callback URLs (Auth0 Dashboard > Applications > your Backstage application > Settings)`,
    );
  });

  it('fails logout-url alone when the app is not an allowed logout URL', async () => {
    await auth0.admin.updateClient(auth0.clientId, {
      allowed_logout_urls: ['https://backstage.example.com'],
    });
    const failed = onlyFailure(await doctor(), CHECKS.logoutUrl);
    expect(failed.fix).toMatch(
      /^add http:\/\/localhost:3000 to Allowed Logout URLs/,
    );
  });

  it('fails refresh-grant alone when the refresh grant is off', async () => {
    await auth0.admin.updateClient(auth0.clientId, {
      grant_types: ['authorization_code'],
    });
    const results = await doctor();
    const failed = onlyFailure(results, CHECKS.refreshGrant);
    expect(failed.message).toMatch(
      /^the application does not have the Refresh Token grant \(the application's grant types are authorization_code\)/,
    );
    expect(failed.fix).toMatch(/^turn on Refresh Token/);
    // The token endpoint said so too, and still took the credentials.
    expect(
      results.find(result => result.check === CHECKS.clientCredentials)
        ?.message,
    ).toContain('answered 403 unauthorized_client');
  });

  it('fails refresh-token-rotation alone for rotation without a reuse interval', async () => {
    await auth0.admin.updateClient(auth0.clientId, {
      refresh_token: { rotation_type: 'rotating', leeway: 0 },
    });
    const failed = onlyFailure(await doctor(), CHECKS.refreshTokenRotation);
    expect(failed.message).toMatch(
      /^rotation is on with a reuse interval of 0 s, shorter than the module's 15 s refresh lease/,
    );
    expect(failed.fix).toMatch(/Reuse Interval .* to at least 30 s$/);
  });

  it('fails signing-algorithm alone for HS256 ID tokens', async () => {
    await auth0.admin.updateClient(auth0.clientId, {
      jwt_configuration: { alg: 'HS256' },
    });
    const failed = onlyFailure(await doctor(), CHECKS.signingAlgorithm);
    expect(failed.fix).toMatch(
      /^set JsonWebToken Signature Algorithm to RS256/,
    );
  });

  it('fails catalog-coverage alone for a verified Auth0 user with no catalog user, naming the email', async () => {
    await auth0.admin.setSyntheticUsers(1, 1);
    const failed = onlyFailure(await doctor(), CHECKS.catalogCoverage);
    expect(failed.message).toBe(
      '1 of 3 Auth0 users would be refused at sign-in (2 catalog users; 1 blocked Auth0 users left out)',
    );
    expect(failed.details).toEqual([
      `${NEWCOMER} (auth0|000000010000000000000000): no catalog user — add a User entity with spec.profile.email: ${NEWCOMER}`,
    ]);
  });

  it('says how to enable the Management API checks without them, and fails nothing', async () => {
    const results = await doctor({ withoutCatalogProvider: true });
    expect(results.filter(result => result.status === 'fail')).toEqual([]);
    const skipped = results.filter(result => result.status === 'skip');
    expect(skipped.map(result => result.check)).toEqual([
      CHECKS.managementApi,
      CHECKS.application,
      CHECKS.callbackUrl,
      CHECKS.logoutUrl,
      CHECKS.offlineAccess,
      CHECKS.refreshTokenRotation,
      CHECKS.signingAlgorithm,
      CHECKS.catalogCoverage,
    ]);
    for (const result of skipped) {
      expect(result.message).toMatch(/^skipped: no Management API credentials/);
      expect(result.fix).toMatch(/read:clients/);
    }
    // The token probe still tells whether refresh grants work.
    expect(
      results.find(result => result.check === CHECKS.refreshGrant),
    ).toMatchObject({
      status: 'pass',
      message: expect.stringContaining(
        'answered a refresh with 403 invalid_grant',
      ),
    });
  });

  it("skips the application's settings when the Machine to Machine application may not read them", async () => {
    await auth0.admin.setManagementScopes(['read:users']);
    const results = await doctor();
    expect(results.filter(result => result.status === 'fail')).toEqual([]);
    expect(
      results.find(result => result.check === CHECKS.callbackUrl),
    ).toMatchObject({
      status: 'skip',
      fix: 'grant backstage-catalog read:clients (Auth0 Dashboard > Applications > APIs > Auth0 Management API > Machine To Machine Applications) to have these checks',
    });
    expect(
      results.find(result => result.check === CHECKS.catalogCoverage)?.status,
    ).toBe('pass');
  });
});

async function waitForCatalogUsers(
  backendUrl: string,
  token: string,
  count: number,
) {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    const response = await fetch(
      `${backendUrl}/api/catalog/entities/by-query?filter=kind=user`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    if (response.ok && (await response.json()).items.length >= count) return;
    await new Promise(resolve => setTimeout(resolve, 200));
  }
  throw new Error(`the catalog had no ${count} users within 30 s`);
}

/** A port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
