import { randomBytes } from 'node:crypto';
import { createBackend } from '@backstage/backend-defaults';
import {
  startAuth0DevServerUnlessConfigured,
  stopWithBackend,
} from '@internal/auth0-dev-server/devEntry';

/*
 * This module alone in a backend, for manual tries: `yarn start` in this package. It reads the
 * repository's app-config.yaml plus a catalog.providers.auth0.development block for the tenant
 * that AUTH_AUTH0_DOMAIN, AUTH0_MANAGEMENT_CLIENT_ID and AUTH0_MANAGEMENT_CLIENT_SECRET name,
 * or, with none of them set, for the dev server (packages/auth0-dev-server), which it starts on
 * https://localhost:7443 and stops with the backend.
 */

async function main() {
  const devServer = await startAuth0DevServerUnlessConfigured({
    client: 'management',
    processOptions: {
      syntheticUsers: Number(process.env.AUTH0_DEV_SERVER_SYNTHETIC_USERS || 0),
    },
    describe: ({ issuer, adminUrl }) =>
      `The Auth0 catalog provider reads the dev server at ${issuer}. Knobs: ${adminUrl}`,
  });
  // The config loader reads APP_CONFIG_* variables as config, values as JSON.
  process.env.APP_CONFIG_catalog_providers_auth0_development = JSON.stringify({
    domain: process.env.AUTH_AUTH0_DOMAIN,
    clientId: process.env.AUTH0_MANAGEMENT_CLIENT_ID,
    clientSecret: process.env.AUTH0_MANAGEMENT_CLIENT_SECRET,
    schedule: {
      frequency: { minutes: 5 },
      timeout: { minutes: 3 },
      initialDelay: { seconds: 15 },
    },
  });

  // A token for trying the catalog's API with curl; this backend has no sign-in.
  const token = randomBytes(24).toString('base64url');
  process.env.APP_CONFIG_backend_auth_externalAccess = JSON.stringify([
    { type: 'static', options: { token, subject: 'auth0-catalog-dev' } },
  ]);
  console.log(
    `The first read starts 15 s after startup; then: curl -H 'Authorization: Bearer ${token}' 'http://localhost:7007/api/catalog/entities/by-query?filter=kind=user'`,
  );

  const backend = createBackend();
  backend.add(import('@backstage/plugin-catalog-backend'));
  backend.add(import('../src'));
  if (devServer) {
    backend.add(stopWithBackend(devServer, 'catalog'));
  }
  await backend.start();
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
