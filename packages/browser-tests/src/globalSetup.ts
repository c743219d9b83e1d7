import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startAuth0DevServerProcess } from '@internal/auth0-dev-server/process';
import {
  ANY_LOCAL_CALLBACK,
  auth0Environment,
  dropDatabasesWithPrefix,
  findFreePort,
  LOCAL_POSTGRES,
  startBackendProcess,
  waitForCatalogUser,
} from '@internal/test-harness';
import { repoRoot, screenshotDir, Stack } from './stack';

/**
 * Builds the app for production, then starts the local Auth0 dev server and two backends
 * that serve that one bundle: one with the production config (PostgreSQL on this
 * machine), one with the development config and, as `yarn dev` with the dev server, the
 * catalog's people read from the dev server's Management API.
 */
export default async function globalSetup() {
  mkdirSync(screenshotDir, { recursive: true });
  if (!process.env.E2E_SKIP_APP_BUILD) {
    // Tests that build the backend bundle rebuild packages/app/dist too: take turns.
    execFileSync(
      'flock',
      [
        resolve(repoRoot, '.cache/backend-build.lock'),
        'yarn',
        'workspace',
        'app',
        'build',
      ],
      { cwd: repoRoot, stdio: 'inherit' },
    );
  }

  const auth0 = await startAuth0DevServerProcess({
    redirectUris: [ANY_LOCAL_CALLBACK],
    logoutUrls: ['http://localhost:*'],
  });
  const auth0Env = auth0Environment(auth0);

  const databasePrefix = `backstage_e2e_${process.pid}_`;
  // Production has no guest: the setup reads the catalog with a static access token.
  const catalogReaderToken = randomBytes(24).toString('base64url');
  const productionPort = await findFreePort();
  const productionUrl = `http://localhost:${productionPort}`;
  const production = await startBackendProcess({
    configFiles: [
      'app-config.yaml',
      'app-config.production.yaml',
      'packages/test-harness/app-config.local-catalog.yaml',
    ],
    port: productionPort,
    env: {
      ...auth0Env,
      NODE_ENV: 'production',
      APP_BASE_URL: productionUrl,
      BACKEND_SECRET: randomBytes(32).toString('base64url'),
      POSTGRES_HOST: LOCAL_POSTGRES.host,
      POSTGRES_PORT: String(LOCAL_POSTGRES.port),
      POSTGRES_USER: LOCAL_POSTGRES.user,
      POSTGRES_PASSWORD: 'trust-authentication-ignores-it',
      APP_CONFIG_backend_database_prefix: databasePrefix,
      GITHUB_TOKEN: 'not-used-by-the-e2e-tests',
      CATALOG_ORG_URL: 'https://github.com/example/org/blob/main/org.yaml',
      APP_CONFIG_backend_auth_externalAccess: JSON.stringify([
        {
          type: 'static',
          options: { token: catalogReaderToken, subject: 'e2e-setup' },
        },
      ]),
    },
  });

  const developmentPort = await findFreePort();
  const developmentUrl = `http://localhost:${developmentPort}`;
  // As `yarn dev` runs with the dev server: the catalog's people come from its Management API.
  const development = await startBackendProcess({
    configFiles: ['app-config.yaml', 'app-config.auth0-catalog.yaml'],
    port: developmentPort,
    env: {
      ...auth0Env,
      // The built app, served by this backend instead of the dev server.
      APP_CONFIG_app_baseUrl: developmentUrl,
    },
  });

  await Promise.all([
    // Only in the dev server's users, so in the catalog only once the Auth0 provider ran.
    waitForCatalogUser(development, 'riley'),
    waitForCatalogUser(production, 'chris', { token: catalogReaderToken }),
  ]);

  const value: Stack = {
    productionUrl,
    developmentUrl,
    auth0Issuer: auth0.issuer,
    auth0AdminUrl: auth0.adminUrl,
  };
  process.env.E2E_STACK = JSON.stringify(value);

  return async () => {
    await Promise.all([production.stop(), development.stop()]);
    await auth0.stop();
    await dropDatabasesWithPrefix(databasePrefix);
  };
}
