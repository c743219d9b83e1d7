import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Agent, setGlobalDispatcher } from 'undici';
import { createBackend } from '@backstage/backend-defaults';
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  startAuth0DevServerProcess,
  type Auth0DevServerProcess,
} from '@internal/auth0-dev-server/process';

/*
 * This module alone in a backend, for manual tries: `yarn start` in this package. It reads
 * the repository's app-config.yaml (the `development` block, the catalog of examples/),
 * and signs in against the tenant that AUTH_AUTH0_DOMAIN, AUTH_AUTH0_CLIENT_ID and
 * AUTH_AUTH0_CLIENT_SECRET name, or, with none of them set, against the dev server
 * (packages/auth0-dev-server), which it starts on https://localhost:7443 and stops with
 * the backend.
 */

const AUTH0_VARIABLES = [
  'AUTH_AUTH0_DOMAIN',
  'AUTH_AUTH0_CLIENT_ID',
  'AUTH_AUTH0_CLIENT_SECRET',
];

async function startDevServerUnlessConfigured(): Promise<
  Auth0DevServerProcess | undefined
> {
  const set = AUTH0_VARIABLES.filter(name => process.env[name]);
  if (set.length === AUTH0_VARIABLES.length) {
    return undefined;
  }
  if (set.length > 0) {
    throw new Error(
      `${set.join(', ')} set but ${AUTH0_VARIABLES.filter(
        name => !process.env[name],
      ).join(
        ', ',
      )} not: set all three for your tenant, or none to use the dev server`,
    );
  }
  const devServer = await startAuth0DevServerProcess({
    port: Number(process.env.AUTH0_DEV_SERVER_PORT || 7443),
    onOutput: line => console.log(`[auth0-dev-server] ${line}`),
  });
  process.env.AUTH_AUTH0_DOMAIN = devServer.domain;
  process.env.AUTH_AUTH0_CLIENT_ID = devServer.clientId;
  process.env.AUTH_AUTH0_CLIENT_SECRET = devServer.clientSecret;
  // NODE_EXTRA_CA_CERTS is read when Node starts, before the dev server made its CA.
  setGlobalDispatcher(
    new Agent({
      connect: {
        ca: [...rootCertificates, readFileSync(devServer.caFile, 'utf8')],
      },
    }),
  );
  console.log(
    `Auth0 sign-in goes to the dev server at ${devServer.issuer}: sign in as ` +
      `chris@example.com with the password "password". Knobs: ${devServer.adminUrl}`,
  );
  return devServer;
}

async function main() {
  const devServer = await startDevServerUnlessConfigured();
  process.env.AUTH_SESSION_SECRET ??= randomBytes(32).toString('base64url');

  const backend = createBackend();
  backend.add(import('@backstage/plugin-auth-backend'));
  backend.add(import('@backstage/plugin-catalog-backend'));
  backend.add(import('../src'));
  if (devServer) {
    backend.add(
      createBackendModule({
        pluginId: 'auth',
        moduleId: 'auth0-dev-server',
        register(reg) {
          reg.registerInit({
            deps: { lifecycle: coreServices.rootLifecycle },
            async init({ lifecycle }) {
              // Frees its port before `yarn start` restarts the backend on a change.
              lifecycle.addShutdownHook(() => devServer.stop());
            },
          });
        },
      }),
    );
  }
  await backend.start();
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
