import { randomBytes } from 'node:crypto';
import { createBackend } from '@backstage/backend-defaults';
import {
  startAuth0DevServerUnlessConfigured,
  stopWithBackend,
} from '@internal/auth0-dev-server/devEntry';

/*
 * This module alone in a backend, for manual tries: `yarn start` in this package. It reads
 * the repository's app-config.yaml (the `development` block, the catalog of examples/),
 * and signs in against the tenant that AUTH_AUTH0_DOMAIN, AUTH_AUTH0_CLIENT_ID and
 * AUTH_AUTH0_CLIENT_SECRET name, or, with none of them set, against the dev server
 * (packages/auth0-dev-server), which it starts on https://localhost:7443 and stops with
 * the backend.
 */

async function main() {
  const devServer = await startAuth0DevServerUnlessConfigured({
    client: 'application',
    describe: ({ issuer, adminUrl }) =>
      `Auth0 sign-in goes to the dev server at ${issuer}: sign in as ` +
      `chris@example.com with the password "password". Knobs: ${adminUrl}`,
  });
  process.env.AUTH_SESSION_SECRET ??= randomBytes(32).toString('base64url');

  const backend = createBackend();
  backend.add(import('@backstage/plugin-auth-backend'));
  backend.add(import('@backstage/plugin-catalog-backend'));
  backend.add(import('../src'));
  if (devServer) {
    backend.add(stopWithBackend(devServer, 'auth'));
  }
  await backend.start();
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
