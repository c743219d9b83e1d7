// The Auth0 part of a plugin's `yarn start` (its dev/index.ts, run by backstage-cli): the
// tenant that the AUTH_AUTH0_* variables name, or, with none of them set, this dev server in
// a child process, stopped with the backend. Importable as `@internal/auth0-dev-server/devEntry`.
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import {
  coreServices,
  createBackendModule,
  type BackendFeature,
} from '@backstage/backend-plugin-api';
import { Agent, setGlobalDispatcher } from 'undici';
import {
  startAuth0DevServerProcess,
  type Auth0DevServerProcess,
  type Auth0DevServerProcessOptions,
} from './process.ts';
import type { ReadyInfo } from './readyLine.ts';

/** The dev server's values that are one string, such as its domain and client ids. */
type TextField = {
  [Field in keyof ReadyInfo]: ReadyInfo[Field] extends string ? Field : never;
}[keyof ReadyInfo];

/**
 * The variables that name a tenant, for each client of it a plugin signs in as, and the
 * dev server's values for them.
 */
const clientVariables = {
  /** The Regular Web Application users sign in to. */
  application: {
    AUTH_AUTH0_DOMAIN: 'domain',
    AUTH_AUTH0_CLIENT_ID: 'clientId',
    AUTH_AUTH0_CLIENT_SECRET: 'clientSecret',
  },
  /** The Machine to Machine application of the Management API. */
  management: {
    AUTH_AUTH0_DOMAIN: 'domain',
    AUTH0_MANAGEMENT_CLIENT_ID: 'managementClientId',
    AUTH0_MANAGEMENT_CLIENT_SECRET: 'managementClientSecret',
  },
} satisfies Record<string, Record<string, TextField>>;

export type DevEntryOptions = {
  /** Which of the tenant's clients the plugin uses, and so which variables name it. */
  client: keyof typeof clientVariables;
  /** What to log once the dev server runs, such as what reads it and how to sign in. */
  describe(devServer: Auth0DevServerProcess): string;
  /** For the dev server; its port is AUTH0_DEV_SERVER_PORT, else 7443, unless given. */
  processOptions?: Auth0DevServerProcessOptions;
};

/**
 * With all of the client's variables set (AUTH_AUTH0_DOMAIN and its id and secret), nothing:
 * the plugin uses that tenant. With none set, starts the dev server, sets the variables to its
 * values, trusts its CA in Node's fetch (the global dispatcher; NODE_EXTRA_CA_CERTS is read
 * when Node starts, before the dev server made its CA) and returns it. With only some set,
 * throws, naming the missing ones.
 */
export async function startAuth0DevServerUnlessConfigured(
  options: DevEntryOptions,
): Promise<Auth0DevServerProcess | undefined> {
  const variables: Record<string, TextField> = clientVariables[options.client];
  const names = Object.keys(variables);
  const set = names.filter(name => process.env[name]);
  if (set.length === names.length) {
    return undefined;
  }
  if (set.length > 0) {
    throw new Error(
      `${set.join(', ')} set but ${names
        .filter(name => !process.env[name])
        .join(
          ', ',
        )} not: set all three for your tenant, or none to use the dev server`,
    );
  }
  const devServer = await startAuth0DevServerProcess({
    port: Number(process.env.AUTH0_DEV_SERVER_PORT || 7443),
    onOutput: line => console.log(`[auth0-dev-server] ${line}`),
    ...options.processOptions,
  });
  for (const [name, field] of Object.entries(variables)) {
    process.env[name] = devServer[field];
  }
  setGlobalDispatcher(
    new Agent({
      connect: {
        ca: [...rootCertificates, readFileSync(devServer.caFile, 'utf8')],
      },
    }),
  );
  console.log(options.describe(devServer));
  return devServer;
}

/**
 * A module of the plugin `pluginId` (one the backend has) that stops the dev server when the
 * backend shuts down, which frees its port before `yarn start` restarts the backend on a change.
 */
export function stopWithBackend(
  devServer: Auth0DevServerProcess,
  pluginId: string,
): BackendFeature {
  return createBackendModule({
    pluginId,
    moduleId: 'auth0-dev-server',
    register(reg) {
      reg.registerInit({
        deps: { lifecycle: coreServices.rootLifecycle },
        async init({ lifecycle }) {
          lifecycle.addShutdownHook(() => devServer.stop());
        },
      });
    },
  });
}
