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
 * This module alone in a backend, for manual tries: `yarn start` in this package. It reads the
 * repository's app-config.yaml plus a catalog.providers.auth0.development block for the tenant
 * that AUTH_AUTH0_DOMAIN, AUTH0_MANAGEMENT_CLIENT_ID and AUTH0_MANAGEMENT_CLIENT_SECRET name,
 * or, with none of them set, for the dev server (packages/auth0-dev-server), which it starts on
 * https://localhost:7443 and stops with the backend.
 */

const AUTH0_VARIABLES = [
  'AUTH_AUTH0_DOMAIN',
  'AUTH0_MANAGEMENT_CLIENT_ID',
  'AUTH0_MANAGEMENT_CLIENT_SECRET',
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
    syntheticUsers: Number(process.env.AUTH0_DEV_SERVER_SYNTHETIC_USERS || 0),
    onOutput: line => console.log(`[auth0-dev-server] ${line}`),
  });
  process.env.AUTH_AUTH0_DOMAIN = devServer.domain;
  process.env.AUTH0_MANAGEMENT_CLIENT_ID = devServer.managementClientId;
  process.env.AUTH0_MANAGEMENT_CLIENT_SECRET = devServer.managementClientSecret;
  // NODE_EXTRA_CA_CERTS is read when Node starts, before the dev server made its CA.
  setGlobalDispatcher(
    new Agent({
      connect: {
        ca: [...rootCertificates, readFileSync(devServer.caFile, 'utf8')],
      },
    }),
  );
  console.log(
    `The Auth0 catalog provider reads the dev server at ${devServer.issuer}. Knobs: ${devServer.adminUrl}`,
  );
  return devServer;
}

async function main() {
  const devServer = await startDevServerUnlessConfigured();
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
    backend.add(
      createBackendModule({
        pluginId: 'catalog',
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
