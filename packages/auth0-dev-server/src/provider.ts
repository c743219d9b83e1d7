import Provider, {
  interactionPolicy,
  type Account,
  type Configuration,
  type ErrorOut,
  type JWK,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import type { FixtureUser, FixtureUsers } from './fixtureUsers.ts';
import type { MemoryStore } from './memoryAdapter.ts';
import {
  organizationClaimsOfGrant,
  organizationMembershipPrompt,
  requestedOrganization,
  validateOrganizationParam,
  type OrganizationClaims,
  type OrganizationGrants,
} from './organizations.ts';
import { errorPage } from './pages.ts';
import type { SigningKey } from './secrets.ts';
import {
  applicationGrantTypes,
  type ApplicationSettings,
} from './application.ts';

export type ProviderOptions = {
  issuer: string;
  users: FixtureUsers;
  client: {
    clientId: string;
    clientSecret: string;
    /** Read on every request: an admin may change the application (application.ts). */
    settings: () => ApplicationSettings;
  };
  /** The "Machine to Machine" application (client credentials, Management API). */
  managementClient: { clientId: string; clientSecret: string };
  signingKeys: SigningKey[];
  cookieKeys: string[];
  store: MemoryStore;
  organizationGrants: OrganizationGrants;
  /**
   * The namespaced roles claim of ID tokens (as an Auth0 Action sets it): its name, and its
   * value for a user, read whenever an ID token is made (sign-in and every refresh).
   */
  rolesClaim: { name: string; valueOf(sub: string): unknown };
  /** Read on every refresh, so the admin API can switch rotation at run time. */
  refreshTokenRotation: () => boolean;
  log: (message: string) => void;
};

const minute = 60;
const hour = 60 * minute;
const day = 24 * hour;

/**
 * Claims by scope, as Auth0 returns them in ID tokens and from /userinfo. The organization
 * claims come only in ID tokens, and only for a sign-in to an organization; the roles claim
 * only in ID tokens. oidc-provider leaves out of tokens every claim not named here.
 */
const claimsByScope = (rolesClaim: string) => ({
  openid: ['sub', 'org_id', 'org_name', rolesClaim],
  email: ['email', 'email_verified'],
  profile: ['name', 'nickname', 'picture', 'updated_at'],
});

/**
 * oidc-provider configured to look and behave like an Auth0 tenant with one "Regular Web
 * Application". The Auth0-only routes (login pages, /v2/logout) and the test knobs are
 * added around it by the server.
 */
export function createAuth0Provider(options: ProviderOptions): Provider {
  const { users, client, organizationGrants } = options;
  const origin = new URL(options.issuer).origin;
  const policy = interactionPolicy.base();
  policy.add(organizationMembershipPrompt(users));

  const configuration: Configuration = {
    adapter: options.store.adapter,
    clients: [
      {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        // The client schema needs concrete URLs; redirectUriAllowed below is what checks.
        redirect_uris: client.settings().callbacks.examples(),
        // grantTypeAllowed below is what checks these, as the application says now.
        grant_types: applicationGrantTypes,
        response_types: ['code'],
        // Auth0's default for a Regular Web Application, and what passport-auth0 sends.
        token_endpoint_auth_method: 'client_secret_post',
        id_token_signed_response_alg: 'RS256',
      },
      {
        // A "Machine to Machine" application: client credentials only, its secret in
        // the token request's body as Auth0's SDKs send it.
        client_id: options.managementClient.clientId,
        client_secret: options.managementClient.clientSecret,
        redirect_uris: [],
        grant_types: ['client_credentials'],
        response_types: [],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: options.signingKeys as JWK[] },
    cookies: { keys: options.cookieKeys },
    routes: {
      authorization: '/authorize',
      token: '/oauth/token',
      userinfo: '/userinfo',
      jwks: '/.well-known/jwks.json',
      revocation: '/oauth/revoke',
      pushed_authorization_request: '/oauth/par',
    },
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    claims: claimsByScope(options.rolesClaim.name),
    // Auth0 puts the profile claims into the ID token too, not only into /userinfo.
    conformIdTokenClaims: false,
    // passport-auth0 sends the access token to /userinfo as ?access_token=; Auth0 takes it.
    acceptQueryParamAccessTokens: true,
    responseTypes: ['code'],
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      revocation: { enabled: true },
      userinfo: { enabled: true },
    },
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
      policy,
    },
    // `token` is the code, refresh token or access token being used, where there is one:
    // its grant says which organization (if any) the sign-in was for.
    findAccount: (_ctx, sub, token) => {
      const user = users.bySub(sub);
      if (!user) return undefined;
      return accountOf(
        user,
        origin,
        organizationClaimsOfGrant(
          (token as { grantId?: string } | undefined)?.grantId,
          users,
          organizationGrants,
        ),
        options.rolesClaim,
      );
    },
    loadExistingGrant: ctx =>
      grantWithoutConsent(ctx, users, organizationGrants),
    extraParams: {
      // Auth0 Organizations: an unknown organization is refused; membership is checked
      // once the user is known (organizationMembershipPrompt).
      organization: validateOrganizationParam(users),
      // Auth0's own authorization parameters, accepted and ignored.
      connection: null,
      connection_scope: null,
      invitation: null,
      screen_hint: null,
      // oidc-provider runs every extraParams validator on every authorization request,
      // which makes this the one hook after it has dropped offline_access.
      audience: keepOfflineAccessWithoutConsent,
    },
    rotateRefreshToken: () => options.refreshTokenRotation(),
    ttl: {
      // Auth0's defaults: 24 h access tokens, 10 h ID tokens, 30-day refresh tokens.
      AccessToken: day,
      IdToken: 10 * hour,
      RefreshToken: 30 * day,
      Grant: 30 * day,
      AuthorizationCode: 10 * minute,
      Interaction: hour,
      Session: 3 * day,
    },
    clientBasedCORS: () => true,
    renderError: (ctx, out, error) =>
      renderError(ctx, out, error, {
        clientId: client.clientId,
        callbacks: client.settings().callbacks.entries,
      }),
  };

  const provider = new Provider(options.issuer, configuration);
  provider.proxy = false;

  // Like Auth0's "Allowed Callback URLs": exact URLs, or loopback URLs with any port.
  provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(
    this: { clientId: string },
    redirectUri: string,
  ) {
    return (
      this.clientId === client.clientId &&
      client.settings().callbacks.allows(redirectUri)
    );
  };
  // Like Auth0's Grant Types: without `refresh_token`, offline_access gives no refresh token
  // and a refresh is refused; without `authorization_code`, no sign-in.
  const grantTypeAllowed = provider.Client.prototype.grantTypeAllowed;
  provider.Client.prototype.grantTypeAllowed = function allowedNow(
    this: { clientId: string },
    grantType: string,
  ) {
    if (
      this.clientId === client.clientId &&
      applicationGrantTypes.includes(grantType)
    ) {
      return client.settings().grantTypes.includes(grantType);
    }
    return grantTypeAllowed.call(this, grantType);
  };

  provider.on('server_error', (ctx: KoaContextWithOIDC, error: Error) => {
    options.log(
      `server error on ${ctx.method} ${ctx.path}: ${error.stack ?? error}`,
    );
  });
  return provider;
}

function accountOf(
  user: FixtureUser,
  origin: string,
  organizationClaims: OrganizationClaims | undefined,
  rolesClaim: ProviderOptions['rolesClaim'],
): Account {
  return {
    accountId: user.sub,
    claims: use => ({
      // Only ID tokens carry the organization and the roles; /userinfo does not.
      ...(use === 'id_token'
        ? {
            ...organizationClaims,
            [rolesClaim.name]: rolesClaim.valueOf(user.sub),
          }
        : undefined),
      sub: user.sub,
      email: user.email,
      email_verified: user.emailVerified,
      name: user.name,
      nickname: user.nickname,
      picture:
        user.picture ?? `${origin}/avatars/${encodeURIComponent(user.id)}.svg`,
      // Auth0 gives updated_at as an ISO 8601 string, not the number OIDC describes.
      updated_at: user.updatedAt,
    }),
  };
}

/**
 * Auth0 grants a first-party application what it asks for without a consent screen,
 * unless the request says prompt=consent (oidc-provider then still shows the consent
 * prompt, because it was requested). A grant belongs to one organization (or to none), so
 * a sign-in for another organization, or without one, gets a grant of its own.
 */
async function grantWithoutConsent(
  ctx: KoaContextWithOIDC,
  users: FixtureUsers,
  organizationGrants: OrganizationGrants,
) {
  const { client, session, provider } = ctx.oidc;
  const accountId = session?.accountId;
  if (!client || !session || !accountId) return undefined;
  const organizationId = requestedOrganization(ctx, users)?.id;
  const grantId =
    ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
  const existing = grantId ? await provider.Grant.find(grantId) : undefined;
  const grant =
    existing &&
    existing.accountId === accountId &&
    organizationGrants.organizationOf(existing.jti) === organizationId
      ? existing
      : new provider.Grant({ clientId: client.clientId, accountId });
  grant.addOIDCScope(ctx.oidc.requestParamOIDCScopes);
  grant.addOIDCClaims(ctx.oidc.requestParamClaims);
  await grant.save();
  organizationGrants.remember(grant.jti, organizationId);
  return grant;
}

/**
 * OpenID Connect says offline_access needs prompt=consent, and oidc-provider drops the
 * scope otherwise. Auth0 issues refresh tokens for offline_access without it, and
 * Backstage's clients rely on that, so the scope is put back when the original request
 * asked for it and the client may use refresh tokens.
 */
async function keepOfflineAccessWithoutConsent(ctx: KoaContextWithOIDC) {
  const params = ctx.oidc.params as
    | { scope?: string; response_type?: string }
    | undefined;
  const { client } = ctx.oidc;
  if (!params || !client || ctx.oidc.route !== 'authorization') return;
  const body = ctx.oidc.body as { scope?: unknown } | undefined;
  const requested = ctx.method === 'POST' ? body?.scope : ctx.query.scope;
  if (
    typeof requested !== 'string' ||
    !requested.split(' ').includes('offline_access')
  ) {
    return;
  }
  const scopes = new Set(params.scope?.split(' ') ?? []);
  if (
    !scopes.has('offline_access') &&
    params.response_type?.split(' ').includes('code') &&
    client.grantTypeAllowed('refresh_token')
  ) {
    scopes.add('offline_access');
    params.scope = [...scopes].join(' ');
  }
}

function renderError(
  ctx: KoaContextWithOIDC,
  out: ErrorOut,
  error: Error,
  client: { clientId: string; callbacks: string[] },
) {
  const hints: string[] = [];
  const description = out.error_description ?? '';
  if (/redirect_uri/.test(description)) {
    hints.push(
      `The dev server accepts these redirect URIs: ${client.callbacks.join(
        ', ',
      )}.`,
      'Start it with AUTH0_DEV_SERVER_REDIRECT_URIS (comma-separated; a loopback port may be *) to accept others, or change its callbacks with the admin API (PATCH /clients/{id}).',
    );
  }
  if (out.error === 'invalid_client' || /client/.test(description)) {
    hints.push(`The dev server knows one client: ${client.clientId}.`);
  }
  if (error.name === 'SessionNotFound') {
    hints.push(
      'The sign-in expired, was finished in another tab, or the dev server restarted since it began. Start the sign-in again from the app.',
    );
  }
  ctx.type = 'html';
  ctx.body = errorPage('Sign-in failed', `${out.error}: ${description}`, hints);
}
