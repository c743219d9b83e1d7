import type { RequestListener, Server as HttpServer } from 'node:http';
import {
  createServer as createHttpsServer,
  type Server as HttpsServer,
} from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createAdminServer, type DevServerControls } from './adminServer.ts';
import {
  applyApplicationPatch,
  managementApplicationAsClient,
  signInApplicationAsClient,
  startApplicationSettings,
} from './application.ts';
import { auth0Routes } from './auth0Routes.ts';
import { ensureTlsMaterial } from './certificates.ts';
import type { ReadyInfo } from './readyLine.ts';
import { createCounters, type ManagementEndpoint } from './counters.ts';
import { createDirectory } from './directory.ts';
import { createExportJobs } from './exportJobs.ts';
import { loadFixtureUsers } from './fixtureUsers.ts';
import { interactionRoutes } from './interactions.ts';
import { createMemoryStore } from './memoryAdapter.ts';
import { createOrganizationGrants } from './organizations.ts';
import {
  applyKnobsPatch,
  defaultKnobs,
  type KnobsPatch,
  type ManagementFailure,
} from './knobs.ts';
import { managementApi, managementRateLimitPolicy } from './managementApi.ts';
import {
  auth0ClientCredentialsErrors,
  createManagementTokenSigner,
  defaultManagementScopes,
  defaultManagementTokenLifetimeSeconds,
  managementAudience,
  registerClientCredentialsGrant,
} from './managementTokens.ts';
import { defaultOptions, type Auth0DevServerOptions } from './options.ts';
import { createAuth0Provider } from './provider.ts';
import { listRefreshTokens } from './refreshTokens.ts';
import { revocationRoute } from './revocation.ts';
import {
  AdminRequestError,
  checkRolesClaimName,
  createRolesClaim,
  resolveUserPatch,
  type UserRolesState,
} from './rolesClaim.ts';
import { ensureSecrets } from './secrets.ts';
import {
  auth0RefreshErrors,
  auth0UnauthorizedClientErrors,
} from './tokenErrors.ts';
import { trafficControl } from './trafficControl.ts';
import { createUserinfoRateLimiter } from './userinfoRateLimit.ts';
import { maxCount } from './options.ts';

/** A running dev server. */
export type Auth0DevServer = DevServerControls &
  ReadyInfo & {
    port: number;
    logoutUrls: string[];
    close(): Promise<void>;
  };

const host = '127.0.0.1';
const packageDir = fileURLToPath(new URL('..', import.meta.url));
export const defaultStateDir = fileURLToPath(
  new URL('../../../.cache/auth0-dev-server', import.meta.url),
);
export const defaultUsersFile = `${packageDir}fixtures/users.yaml`;

export const productionRefusal =
  'auth0-dev-server refuses to start because NODE_ENV is "production". It is a local ' +
  'dev server for Auth0 with fixture users who share one published password, so it must ' +
  'never sign anyone in to a real deployment. In production, set AUTH_AUTH0_DOMAIN, ' +
  'AUTH_AUTH0_CLIENT_ID and AUTH_AUTH0_CLIENT_SECRET for your Auth0 tenant instead; for ' +
  'local development, unset NODE_ENV or set it to "development".';

export class ProductionRefusalError extends Error {
  constructor() {
    super(productionRefusal);
    this.name = 'ProductionRefusalError';
  }
}

/** Starts the dev server and its admin API; both listen on 127.0.0.1 only. */
export async function startAuth0DevServer(
  options: Auth0DevServerOptions = {},
): Promise<Auth0DevServer> {
  if (process.env.NODE_ENV === 'production') {
    throw new ProductionRefusalError();
  }
  const log =
    options.log ??
    ((message: string) => console.error(`auth0-dev-server: ${message}`));
  const stateDir = options.stateDir ?? defaultStateDir;
  const usersFile = options.usersFile ?? defaultUsersFile;
  const clientId = options.clientId ?? defaultOptions.clientId;
  // The sign-in application as it starts, and as POST /reset makes it again.
  const startApplication = startApplicationSettings({
    callbacks: options.redirectUris ?? defaultOptions.redirectUris,
    logoutUrls: options.logoutUrls ?? defaultOptions.logoutUrls,
    leewaySeconds: options.refreshTokenLeeway ?? 0,
  });
  const managementClientId =
    options.managementClientId ?? defaultOptions.managementClientId;
  if (managementClientId === clientId) {
    throw new Error(
      `auth0-dev-server: the machine-to-machine client id "${managementClientId}" is also the sign-in client's; give them different ids`,
    );
  }
  const startKnobs = defaultKnobs({
    refreshTokenRotation: options.refreshTokenRotation ?? true,
    userinfoRateLimit: options.userinfoRateLimit ?? true,
    managementScopes: defaultManagementScopes,
    managementTokenLifetimeSeconds: defaultManagementTokenLifetimeSeconds,
  });
  const rolesClaimName = checkRolesClaimName(
    options.rolesClaim ?? defaultOptions.rolesClaim,
  );
  const startSynthetic = {
    count: options.syntheticUsers ?? 0,
    seed: options.syntheticUsersSeed ?? 1,
  };
  validateSynthetic(startSynthetic);

  const users = await loadFixtureUsers(usersFile);
  const directory = createDirectory(users, startSynthetic);
  const rolesClaim = createRolesClaim(rolesClaimName, directory);
  const tls = await ensureTlsMaterial(stateDir);
  const secrets = await ensureSecrets(stateDir);
  const clientSecret = options.clientSecret ?? secrets.clientSecret;
  const managementClientSecret =
    options.managementClientSecret ?? secrets.managementClientSecret;

  let knobs = startKnobs;
  let application = startApplication;
  const counters = createCounters();
  const rateLimiter = createUserinfoRateLimiter();
  const managementLimiter = createUserinfoRateLimiter(
    managementRateLimitPolicy,
  );

  // The issuer names the port, which is only known once listening (port 0), so the
  // provider takes over the requests after listen.
  let handle: RequestListener = (_request, response) =>
    response.writeHead(503).end();
  const server = createHttpsServer(
    { key: tls.privateKey, cert: tls.certificateChain },
    (request, response) => handle(request, response),
  );
  const requestedPort = options.port ?? defaultOptions.port;
  await listen(
    server,
    requestedPort,
    'the dev server (--port, AUTH0_DEV_SERVER_PORT)',
  );
  const port = (server.address() as AddressInfo).port;
  const issuer = `https://localhost:${port}/`;
  const audience = managementAudience(issuer);

  const store = createMemoryStore({
    refreshTokenLeeway: () => application.leewaySeconds,
  });
  const organizationGrants = createOrganizationGrants();
  const provider = createAuth0Provider({
    issuer,
    users,
    client: { clientId, clientSecret, settings: () => application },
    managementClient: {
      clientId: managementClientId,
      clientSecret: managementClientSecret,
    },
    signingKeys: secrets.signingKeys,
    cookieKeys: secrets.cookieKeys,
    store,
    organizationGrants,
    rolesClaim,
    refreshTokenRotation: () => knobs.refreshTokenRotation,
    log,
  });
  provider.use(
    trafficControl({
      provider,
      users,
      knobs: () => knobs,
      counters,
      rateLimiter,
    }),
  );
  provider.use(auth0RefreshErrors());
  provider.use(
    auth0ClientCredentialsErrors(status =>
      counters.recordManagement('token', status),
    ),
  );
  provider.use(auth0UnauthorizedClientErrors());
  const signer = createManagementTokenSigner({
    issuer,
    signingKeys: secrets.signingKeys,
  });
  registerClientCredentialsGrant({
    provider,
    signer,
    issuer,
    scopes: () => knobs.managementScopes,
    lifetimeSeconds: () => knobs.managementTokenLifetimeSeconds,
    log,
  });
  provider.use(
    managementApi({
      issuer,
      directory,
      signer,
      exportJobs: createExportJobs({
        origin: new URL(issuer).origin,
        tenantName: 'localhost',
      }),
      knobs: () => knobs,
      takeFailure,
      rateLimiter: managementLimiter,
      counters,
      clients: {
        get: (id, { withSecret }) => applicationAsClient(id, withSecret),
        update: updateApplication,
      },
      log,
    }),
  );
  provider.use(
    revocationRoute({ provider, store, clientId, clientSecret, log }),
  );
  provider.use(
    interactionRoutes({
      provider,
      users,
      usersFile,
      log,
      onSignIn: sub => directory.recordSignIn(sub),
    }),
  );
  provider.use(
    auth0Routes({
      provider,
      users,
      clientId,
      managementClientId,
      logoutUrls: () => application.logoutUrls,
      log,
      personById: id => directory.personById(id),
    }),
  );
  handle = provider.callback();

  /**
   * The forced failure (managementFailure knob) a Management API request gets: `skip`
   * requests pass first, then `count` fail; the knob clears itself when `count` runs out.
   */
  function takeFailure(
    endpoint: ManagementEndpoint,
  ): ManagementFailure | undefined {
    const failure = knobs.managementFailure;
    if (
      !failure ||
      (failure.endpoints !== null && !failure.endpoints.includes(endpoint))
    ) {
      return undefined;
    }
    if (failure.skip > 0) {
      knobs = {
        ...knobs,
        managementFailure: { ...failure, skip: failure.skip - 1 },
      };
      return undefined;
    }
    const count = failure.count === null ? null : failure.count - 1;
    knobs = {
      ...knobs,
      managementFailure: count === 0 ? null : { ...failure, count },
    };
    return failure;
  }

  const setAccepting = async (accept: boolean) => {
    if (accept && !server.listening) {
      await listen(
        server,
        port,
        'the dev server, reopening after refuseConnections',
      );
    } else if (!accept && server.listening) {
      const closed = new Promise<void>(resolve =>
        server.close(() => resolve()),
      );
      server.closeAllConnections();
      await closed;
    }
  };

  const updateKnobs = async (patch: KnobsPatch) => {
    const next = applyKnobsPatch(knobs, patch);
    if (next.userinfoRateLimit && !knobs.userinfoRateLimit) rateLimiter.reset();
    if (next.managementRateLimit && !knobs.managementRateLimit) {
      managementLimiter.reset();
    }
    await setAccepting(!next.refuseConnections);
    knobs = next;
    log(`knobs changed: ${JSON.stringify(patch)}`);
    return knobs;
  };

  function unknownApplication(id: string) {
    return new AdminRequestError(404, [
      `there is no application "${id}"; the applications are ${clientId} (sign-in) and ${managementClientId} (machine to machine)`,
    ]);
  }

  /** An application as the Management API shows it; undefined for a client id it does not know. */
  function applicationAsClient(
    id: string,
    withSecret: boolean,
  ): Record<string, unknown> | undefined {
    const tenant = new URL(issuer).hostname;
    if (id === clientId) {
      return signInApplicationAsClient({
        clientId,
        clientSecret: withSecret ? clientSecret : undefined,
        tenant,
        settings: application,
        rotating: knobs.refreshTokenRotation,
      });
    }
    if (id === managementClientId) {
      return managementApplicationAsClient({
        clientId: managementClientId,
        clientSecret: withSecret ? managementClientSecret : undefined,
        tenant,
      });
    }
    return undefined;
  }

  /**
   * Changes the sign-in application (Auth0's field names; application.ts says which), all of
   * the patch or none of it. Rotation is the refreshTokenRotation knob.
   */
  async function updateApplication(id: string, patch: unknown) {
    if (!applicationAsClient(id, false)) throw unknownApplication(id);
    if (id !== clientId) {
      throw new AdminRequestError(501, [
        `auth0-dev-server changes the settings of its sign-in application ${clientId} only, not of ${id}`,
      ]);
    }
    const next = applyApplicationPatch(application, patch);
    if (
      next.rotating !== undefined &&
      next.rotating !== knobs.refreshTokenRotation
    ) {
      await updateKnobs({ refreshTokenRotation: next.rotating });
    }
    application = next.settings;
    log(`application ${clientId} changed: ${JSON.stringify(patch)}`);
  }

  let adminUrl = '';
  // What the caller and the admin API's GET / both tell about reaching the dev server.
  const connection = () => ({
    issuer,
    domain: `localhost:${port}`,
    clientId,
    clientSecret,
    managementClientId,
    managementClientSecret,
    managementAudience: audience,
    caFile: tls.caFile,
    adminUrl,
    redirectUris: application.callbacks.entries,
    logoutUrls: application.logoutUrls.entries,
    rolesClaim: rolesClaimName,
  });
  const info = () => ({
    ...connection(),
    usersFile,
    users: users.all.map(user => ({
      sub: user.sub,
      email: user.email,
      emailVerified: user.emailVerified,
      blocked: user.blocked,
      organizations: user.organizations,
      // As now: an admin may have changed them (PATCH /users/{id}).
      roles: directory.person(user.sub)?.roles ?? user.roles,
      rolesClaim: rolesClaim.valueOf(user.sub),
    })),
    organizations: users.organizations.map(organization => ({
      id: organization.id,
      name: organization.name,
      displayName: organization.displayName,
    })),
    roles: users.roles.map(role => ({ id: role.id, name: role.name })),
    syntheticUsers: directory.synthetic(),
    adminRoutes: [
      'GET /',
      'GET /knobs',
      'PATCH /knobs',
      'GET /counters',
      'DELETE /counters',
      'GET /refresh-tokens',
      'GET /synthetic-users',
      'POST /synthetic-users',
      'PATCH /users/{id}',
      'GET /clients/{id}',
      'PATCH /clients/{id}',
      'POST /reset',
    ],
  });

  /** A fixture user's roles and roles claim now. */
  const userRolesState = (sub: string): UserRolesState => {
    const user = users.bySub(sub)!;
    return {
      id: user.id,
      sub,
      roles: (directory.person(sub)?.roles ?? []).map(id => ({
        id,
        name: directory.role(id)?.name ?? id,
      })),
      rolesClaim: {
        name: rolesClaimName,
        value: rolesClaim.valueOf(sub),
        overridden: rolesClaim.overridden(sub),
      },
    };
  };
  const controls: DevServerControls = {
    knobs: () => knobs,
    updateKnobs,
    counters: () => counters.snapshot(),
    resetCounters() {
      counters.reset();
      return counters.snapshot();
    },
    refreshTokens: () => listRefreshTokens(store, users, organizationGrants),
    syntheticUsers: () => directory.synthetic(),
    setSyntheticUsers(spec) {
      validateSynthetic(spec);
      const started = performance.now();
      directory.setSynthetic(spec);
      log(
        `synthetic users: ${spec.count} (seed ${spec.seed}) in ${Math.round(
          performance.now() - started,
        )} ms`,
      );
      return directory.synthetic();
    },
    updateUser(id, patch) {
      const user = users.byId(id) ?? users.bySub(id);
      if (!user) {
        const synthetic = directory.person(id) ?? directory.personById(id);
        throw new AdminRequestError(404, [
          synthetic
            ? `${synthetic.sub} is a synthetic user; only fixture users (who can sign in) can be changed`
            : `there is no fixture user "${id}"; the fixture users are ${users.all
                .map(known => known.id)
                .join(', ')} (by id or as auth0|<id>)`,
        ]);
      }
      const resolved = resolveUserPatch(patch, users.roles);
      if (resolved.roleIds !== undefined) {
        directory.setRoles(user.sub, resolved.roleIds);
      }
      if ('rolesClaim' in resolved) {
        rolesClaim.override(user.sub, resolved.rolesClaim);
      }
      const state = userRolesState(user.sub);
      log(
        `${user.sub} changed: roles ${JSON.stringify(
          state.roles.map(role => role.name),
        )}${
          state.rolesClaim.overridden
            ? `, roles claim overridden with ${JSON.stringify(
                state.rolesClaim.value,
              )}`
            : ''
        }`,
      );
      return state;
    },
    client(id) {
      const found = applicationAsClient(id, true);
      if (!found) throw unknownApplication(id);
      return found;
    },
    async updateClient(id, patch) {
      await updateApplication(id, patch);
      return controls.client(id);
    },
    async reset() {
      const knobsNow = await updateKnobs(startKnobs);
      application = startApplication;
      const synthetic = directory.synthetic();
      if (
        synthetic.count !== startSynthetic.count ||
        synthetic.seed !== startSynthetic.seed
      ) {
        directory.setSynthetic(startSynthetic);
      }
      directory.resetRoles();
      rolesClaim.reset();
      counters.reset();
      rateLimiter.reset();
      managementLimiter.reset();
      return knobsNow;
    },
  };

  const admin = createAdminServer({ info, ...controls });
  const requestedAdminPort =
    options.adminPort ?? (requestedPort === 0 ? 0 : port + 1);
  try {
    await listen(
      admin,
      requestedAdminPort,
      'the admin API (--admin-port, AUTH0_DEV_SERVER_ADMIN_PORT)',
    );
  } catch (error) {
    server.close();
    throw error;
  }
  adminUrl = `http://${host}:${(admin.address() as AddressInfo).port}/`;

  return {
    ...connection(),
    port,
    ...controls,
    async close() {
      await Promise.all([closeServer(server), closeServer(admin)]);
      provider.removeAllListeners();
    },
  };
}

function validateSynthetic(spec: { count: number; seed: number }) {
  for (const [name, value] of Object.entries(spec)) {
    if (!Number.isInteger(value) || value < 0 || value > maxCount) {
      throw new Error(
        `auth0-dev-server: synthetic users: ${name} must be a whole number from 0 to ${maxCount}, not ${value}`,
      );
    }
  }
}

async function listen(
  server: HttpServer | HttpsServer,
  port: number,
  what: string,
): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') {
        reject(error);
        return;
      }
      reject(
        Object.assign(
          new Error(
            `auth0-dev-server: port ${port} on ${host} is already in use, so ${what} cannot listen there. ` +
              'Another dev server (a `yarn dev` in another terminal?) may be running: stop it, or choose another port.',
          ),
          { code: error.code },
        ),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

async function closeServer(server: HttpServer | HttpsServer) {
  if (!server.listening) return;
  const closed = new Promise<void>(resolve => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}
