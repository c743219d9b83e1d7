import { LEASE_MS } from '@backstage-auth0/plugin-auth-backend-module-auth0';
import {
  Auth0OrgProviderConfig,
  createManagementApi,
  ManagementApi,
  TokenRequestError,
} from '@backstage-auth0/plugin-catalog-backend-module-auth0';
import { ManagementError } from 'auth0';
import { decodeJwt } from 'jose';
import { isAllowedUrl } from './allowedUrls';
import {
  CheckName,
  CheckResult,
  CHECKS,
  fail,
  pass,
  skip,
  skipAll,
  warn,
} from './checks';
import { SignInSettings } from './configChecks';
import { describeFetchError } from './fetchErrors';
import { TokenProbe } from './tenantChecks';

/** The catalog provider whose Machine to Machine application reads the tenant, or why none. */
export type ChosenCatalogProvider =
  | { provider: Auth0OrgProviderConfig }
  | { missing: { message: string; fix: string } };

/** The application's settings as `GET /api/v2/clients/{id}` gives them: what the checks read. */
type Application = {
  name?: string;
  app_type?: string;
  callbacks?: string[];
  allowed_logout_urls?: string[];
  grant_types?: string[];
  oidc_conformant?: boolean;
  jwt_configuration?: { alg?: string };
  refresh_token?: { rotation_type?: string; leeway?: number } | null;
};

const MANAGEMENT_API_GRANTS =
  'Auth0 Dashboard > Applications > APIs > Auth0 Management API > Machine To Machine Applications';
const APPLICATION_SETTINGS =
  'Auth0 Dashboard > Applications > your Backstage application > Settings';
const LEASE_SECONDS = LEASE_MS / 1000;

/** The checks that read the application's settings, in the order they print. */
const SETTINGS_CHECKS: CheckName[] = [
  CHECKS.application,
  CHECKS.callbackUrl,
  CHECKS.logoutUrl,
  CHECKS.refreshGrant,
  CHECKS.offlineAccess,
  CHECKS.refreshTokenRotation,
  CHECKS.signingAlgorithm,
];

/**
 * Reads the sign-in application's settings with the catalog provider's Machine to Machine
 * application, and compares them with what the module needs: the backend's callback URL, the
 * app's origin as a logout URL, the refresh grant, offline access, rotation with a reuse
 * interval of at least the module's refresh lease, RS256. Without the Management API (no
 * catalog provider, refused credentials, no `read:clients`) each of them says it was skipped
 * and how to have it, except `refresh-grant`, which the token probe may have answered.
 */
export async function checkApplication(options: {
  /** The catalog provider whose credentials to use, or why there is none. */
  catalogProvider: ChosenCatalogProvider;
  signIn: SignInSettings;
  probe: TokenProbe;
  fetch: typeof fetch;
}): Promise<{ results: CheckResult[]; api?: ManagementApi }> {
  const { catalogProvider, signIn, probe } = options;
  if ('missing' in catalogProvider) {
    const { message, fix } = catalogProvider.missing;
    return {
      results: [
        skip(CHECKS.managementApi, message, fix),
        ...withoutSettings(probe, message, fix),
      ],
    };
  }
  const { provider } = catalogProvider;

  const keyPrefix = `catalog.providers.auth0.${provider.id}`;
  const api = createManagementApi({
    domain: provider.domain,
    clientId: provider.clientId,
    clientSecret: provider.clientSecret,
    fetch: options.fetch,
  });
  let token: string;
  try {
    token = await api.getToken();
  } catch (error) {
    const refused = explainTokenFailure(error, provider, keyPrefix);
    return {
      results: [
        refused,
        ...withoutSettings(
          probe,
          'the Management API gave no token',
          'fix management-api first',
        ),
      ],
    };
  }
  const scopes = scopesOf(token);
  const results: CheckResult[] = [
    pass(
      CHECKS.managementApi,
      `${keyPrefix} gets Management API tokens from ${provider.domain} for ${
        provider.clientId
      }${scopes ? ` (${scopes.join(' ') || 'no scopes'})` : ''}`,
    ),
  ];

  const clientId = signIn.context.settings.clientId;
  let application: Application;
  try {
    application = (await api.client.clients.get(clientId)) as Application;
  } catch (error) {
    const status = error instanceof ManagementError ? error.statusCode : 0;
    const answer = describeApiError(error);
    if (status === 404) {
      results.push(
        fail(
          CHECKS.application,
          `the tenant ${provider.domain} has no application ${clientId} (${answer})`,
          `set ${signIn.keyPrefix}.clientId (AUTH_AUTH0_CLIENT_ID) to the Client ID of the Regular Web Application; if people sign in on another tenant than ${keyPrefix} reads, give that one a catalog provider`,
        ),
        ...withoutSettings(
          probe,
          'the application was not found',
          'fix application first',
        ).slice(1),
      );
    } else if (status === 403) {
      results.push(
        ...withoutSettings(
          probe,
          `${provider.clientId} may not read applications (${answer})`,
          `grant ${provider.clientId} read:clients (${MANAGEMENT_API_GRANTS}) to have these checks`,
        ),
      );
    } else {
      results.push(
        ...withoutSettings(
          probe,
          `the application's settings could not be read (${answer})`,
          'run the doctor again; if it persists, check the Management API',
        ),
      );
    }
    return { results, api };
  }

  results.push(
    applicationCheck(application, clientId, provider.domain),
    callbackCheck(application, signIn),
    logoutCheck(application, signIn),
    refreshGrantCheck(application, probe),
    await offlineAccessCheck(application, signIn, api, provider),
    rotationCheck(application),
    signingAlgorithmCheck(application),
  );
  return { results, api };
}

/** The settings checks skipped for one reason, but `refresh-grant` from the probe if it told. */
function withoutSettings(
  probe: TokenProbe,
  message: string,
  fix: string,
): CheckResult[] {
  return skipAll(SETTINGS_CHECKS, message, fix).map(result =>
    result.check === CHECKS.refreshGrant &&
    probe.refreshGrantAllowed !== undefined
      ? refreshGrantCheck(undefined, probe)
      : result,
  );
}

function applicationCheck(
  application: Application,
  clientId: string,
  domain: string,
): CheckResult {
  const named = `"${application.name ?? clientId}" (${clientId})`;
  if (application.app_type && application.app_type !== 'regular_web') {
    return fail(
      CHECKS.application,
      `${named} is a ${application.app_type} application; the module signs in as a Regular Web Application, with the client secret`,
      'create a Regular Web Application (Auth0 Dashboard > Applications > Create Application) and use its Client ID and Client Secret',
    );
  }
  if (!application.grant_types?.includes('authorization_code')) {
    return fail(
      CHECKS.application,
      `${named} does not have the Authorization Code grant, so nobody can sign in (grant types: ${list(
        application.grant_types,
      )})`,
      `turn on Authorization Code (${APPLICATION_SETTINGS} > Advanced Settings > Grant Types)`,
    );
  }
  return pass(
    CHECKS.application,
    `${named} is a Regular Web Application of ${domain} with the Authorization Code grant`,
  );
}

function callbackCheck(
  application: Application,
  signIn: SignInSettings,
): CheckResult {
  const expected = signIn.callbackUrl;
  if (!expected) {
    return skip(
      CHECKS.callbackUrl,
      `neither backend.baseUrl nor ${signIn.keyPrefix}.callbackUrl is set, so the callback URL is unknown`,
      'set backend.baseUrl, as the backend needs',
    );
  }
  if (isAllowedUrl(application.callbacks ?? [], expected)) {
    return pass(
      CHECKS.callbackUrl,
      `the Allowed Callback URLs include ${expected}`,
    );
  }
  return fail(
    CHECKS.callbackUrl,
    `${expected}, where Auth0 must send the browser back, is not among the Allowed Callback URLs (${list(
      application.callbacks,
    )}); Auth0 shows "Callback URL mismatch" instead of signing in`,
    `add ${expected} to Allowed Callback URLs (${APPLICATION_SETTINGS})`,
  );
}

function logoutCheck(
  application: Application,
  signIn: SignInSettings,
): CheckResult {
  const expected = signIn.appOrigin;
  if (!expected) {
    return skip(
      CHECKS.logoutUrl,
      'app.baseUrl is not set, so the app the browser returns to after sign-out is unknown',
      'set app.baseUrl, as the backend needs',
    );
  }
  if (isAllowedUrl(application.allowed_logout_urls ?? [], expected)) {
    return pass(
      CHECKS.logoutUrl,
      `the Allowed Logout URLs include the app's ${expected}`,
    );
  }
  return fail(
    CHECKS.logoutUrl,
    `the app's ${expected}, where sign-out returns to, is not among the Allowed Logout URLs (${list(
      application.allowed_logout_urls,
    )}); Auth0 shows an error page after sign-out`,
    `add ${expected} to Allowed Logout URLs (${APPLICATION_SETTINGS})`,
  );
}

function refreshGrantCheck(
  application: Application | undefined,
  probe: TokenProbe,
): CheckResult {
  const allowed = application
    ? application.grant_types?.includes('refresh_token') ?? false
    : probe.refreshGrantAllowed;
  const evidence = application
    ? `the application's grant types are ${list(application.grant_types)}`
    : `the token endpoint answered a refresh with ${probe.answer}`;
  if (allowed) {
    return pass(
      CHECKS.refreshGrant,
      `Auth0 takes refresh grants from the application (${evidence})`,
    );
  }
  return fail(
    CHECKS.refreshGrant,
    `the application does not have the Refresh Token grant (${evidence}): Auth0 issues no refresh token, so every reload of the app signs the person out`,
    `turn on Refresh Token (${APPLICATION_SETTINGS} > Advanced Settings > Grant Types)`,
  );
}

async function offlineAccessCheck(
  application: Application,
  signIn: SignInSettings,
  api: ManagementApi,
  provider: Auth0OrgProviderConfig,
): Promise<CheckResult> {
  const { audience } = signIn.context.settings;
  if (!audience) {
    if (application.oidc_conformant === false) {
      return warn(
        CHECKS.offlineAccess,
        'the application is not OIDC Conformant, and Auth0 documents refresh tokens for offline_access for OIDC-conformant applications (or with an audience)',
        `turn on OIDC Conformant (${APPLICATION_SETTINGS} > Advanced Settings > OAuth)`,
      );
    }
    return pass(
      CHECKS.offlineAccess,
      'no audience is set, and the OIDC-conformant application gets a refresh token for offline_access',
    );
  }
  let allowed: boolean | undefined;
  try {
    const resourceServer = (await api.client.resourceServers.get(audience)) as {
      allow_offline_access?: boolean;
    };
    allowed = resourceServer.allow_offline_access === true;
  } catch (error) {
    const status = error instanceof ManagementError ? error.statusCode : 0;
    if (status === 404) {
      return fail(
        CHECKS.offlineAccess,
        `${signIn.keyPrefix}.audience is ${audience}, which is no API of ${
          provider.domain
        } (${describeApiError(error)}); Auth0 refuses the sign-in`,
        `set audience to the identifier of an API (Auth0 Dashboard > Applications > APIs), or remove it`,
      );
    }
    return skip(
      CHECKS.offlineAccess,
      `the API ${audience} could not be read (${describeApiError(error)})`,
      `grant ${provider.clientId} read:resource_servers (${MANAGEMENT_API_GRANTS}), or check Allow Offline Access on that API yourself`,
    );
  }
  if (!allowed) {
    return fail(
      CHECKS.offlineAccess,
      `the API ${audience} (${signIn.keyPrefix}.audience) does not allow offline access, so Auth0 issues no refresh token for it and every reload of the app signs the person out`,
      'turn on Allow Offline Access (Auth0 Dashboard > Applications > APIs > that API > Settings)',
    );
  }
  return pass(
    CHECKS.offlineAccess,
    `the API ${audience} (${signIn.keyPrefix}.audience) allows offline access`,
  );
}

function rotationCheck(application: Application): CheckResult {
  const settings = application.refresh_token;
  const recommended = 2 * LEASE_SECONDS;
  const interval = `Reuse Interval (${APPLICATION_SETTINGS} > Refresh Token Rotation)`;
  if (!settings || settings.rotation_type !== 'rotating') {
    return warn(
      CHECKS.refreshTokenRotation,
      'refresh token rotation is off: sessions work, but a leaked refresh token stays usable until it expires',
      `turn Rotation on with a ${interval} of at least ${recommended} s (docs/deployment.md, step 5)`,
    );
  }
  const leeway = settings.leeway ?? 0;
  if (leeway < LEASE_SECONDS) {
    return fail(
      CHECKS.refreshTokenRotation,
      `rotation is on with a reuse interval of ${leeway} s, shorter than the module's ${LEASE_SECONDS} s refresh lease: when a replica dies during a refresh, the next one presents the same token again, which Auth0 then takes for a stolen token and signs the person out everywhere`,
      `set the ${interval} to at least ${recommended} s`,
    );
  }
  if (leeway < recommended) {
    return warn(
      CHECKS.refreshTokenRotation,
      `rotation is on with a reuse interval of ${leeway} s: at least the module's ${LEASE_SECONDS} s refresh lease, but with no margin for noticing that a replica died`,
      `set the ${interval} to at least ${recommended} s, twice the lease`,
    );
  }
  return pass(
    CHECKS.refreshTokenRotation,
    `rotation is on with a reuse interval of ${leeway} s (the module needs at least its ${LEASE_SECONDS} s refresh lease; ${recommended} s gives a margin)`,
  );
}

function signingAlgorithmCheck(application: Application): CheckResult {
  const alg = application.jwt_configuration?.alg ?? 'RS256';
  if (alg !== 'RS256') {
    return fail(
      CHECKS.signingAlgorithm,
      `ID tokens are signed with ${alg}, and the module verifies RS256 only: every sign-in fails with "Auth0's ID token could not be verified"`,
      `set JsonWebToken Signature Algorithm to RS256 (${APPLICATION_SETTINGS} > Advanced Settings > OAuth)`,
    );
  }
  return pass(CHECKS.signingAlgorithm, 'ID tokens are signed with RS256');
}

function explainTokenFailure(
  error: unknown,
  provider: Auth0OrgProviderConfig,
  keyPrefix: string,
): CheckResult {
  const cause = error instanceof TokenRequestError ? error.cause : error;
  if (!(cause instanceof ManagementError) || cause.statusCode === undefined) {
    return fail(
      CHECKS.managementApi,
      `cannot reach https://${
        provider.domain
      }/oauth/token (${describeFetchError(cause)})`,
      `check ${keyPrefix}.domain, the tenant's own domain such as my-company.eu.auth0.com, and that this machine reaches it`,
    );
  }
  const answer = describeApiError(cause);
  if (
    cause.statusCode === 403 &&
    /not enabled|not authorized|grant/i.test(answer)
  ) {
    return fail(
      CHECKS.managementApi,
      `${provider.clientId} may not call the Management API of ${provider.domain} (${answer})`,
      `authorize it for the Auth0 Management API (${MANAGEMENT_API_GRANTS}); ${keyPrefix}.domain must be the tenant's own domain, not a custom domain`,
    );
  }
  if (cause.statusCode === 401 || cause.statusCode === 403) {
    return fail(
      CHECKS.managementApi,
      `Auth0 refused the client id ${provider.clientId} and secret of ${keyPrefix} (${answer})`,
      `set ${keyPrefix}.clientId and .clientSecret (AUTH0_MANAGEMENT_CLIENT_ID, AUTH0_MANAGEMENT_CLIENT_SECRET) to those of the Machine to Machine application (docs/catalog-from-auth0.md)`,
    );
  }
  return fail(
    CHECKS.managementApi,
    `Auth0 gave ${keyPrefix} no Management API token (${answer})`,
    'run the doctor again; if it persists, check the tenant and the application',
  );
}

/** Auth0's answer in a line: `403 insufficient_scope: Insufficient scope, …`. */
function describeApiError(error: unknown): string {
  if (!(error instanceof ManagementError) || error.statusCode === undefined) {
    return describeFetchError(error);
  }
  const body = (error.body ?? {}) as {
    errorCode?: unknown;
    message?: unknown;
    error?: unknown;
    error_description?: unknown;
  };
  const code = body.errorCode ?? body.error;
  const text = body.message ?? body.error_description;
  return `${error.statusCode}${typeof code === 'string' ? ` ${code}` : ''}${
    typeof text === 'string' ? `: ${text}` : ''
  }`;
}

function scopesOf(token: string): string[] | undefined {
  try {
    const { scope } = decodeJwt(token);
    return typeof scope === 'string'
      ? scope.split(' ').filter(Boolean)
      : undefined;
  } catch {
    return undefined;
  }
}

function list(values: string[] | undefined): string {
  return values && values.length > 0 ? values.join(', ') : 'none';
}
