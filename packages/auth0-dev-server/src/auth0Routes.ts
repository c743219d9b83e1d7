import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { FixtureUsers } from './fixtureUsers.ts';
import { avatarSvg, errorPage, homePage, signedOutPage } from './pages.ts';
import type { UrlAllowList } from './urlAllowList.ts';

export type Auth0RoutesOptions = {
  provider: Provider;
  users: FixtureUsers;
  clientId: string;
  managementClientId?: string;
  /** Read at every logout: an admin may change the application's allowed logout URLs. */
  logoutUrls: () => UrlAllowList;
  log: (message: string) => void;
  /** Who an avatar is for, synthetic users included; the fixture users without it. */
  personById?: (id: string) => { id: string; name: string } | undefined;
};

const avatarPattern = /^\/avatars\/([A-Za-z0-9._-]+)\.svg$/;

/**
 * What Auth0 has and oidc-provider does not: GET /v2/logout; and a home page (where a
 * browser is sent once to accept the certificate) and the avatars the dev server draws for
 * users without a picture.
 */
export function auth0Routes(options: Auth0RoutesOptions) {
  const { provider } = options;

  return async function auth0RoutesMiddleware(
    ctx: KoaContextWithOIDC,
    next: () => Promise<void>,
  ) {
    if (ctx.path === '/' && ctx.method === 'GET') {
      ctx.type = 'html';
      ctx.body = homePage({
        issuer: provider.issuer,
        clientId: options.clientId,
        managementClientId: options.managementClientId,
        users: options.users.all,
      });
      return;
    }
    if (ctx.path === '/v2/logout' && ctx.method === 'GET') {
      await logout(ctx);
      return;
    }
    const avatar = avatarPattern.exec(ctx.path);
    if (avatar && ctx.method === 'GET') {
      const user =
        options.personById?.(avatar[1]) ?? options.users.byId(avatar[1]);
      if (!user) {
        ctx.status = 404;
        return;
      }
      ctx.type = 'image/svg+xml';
      ctx.set('cache-control', 'public, max-age=3600');
      ctx.body = avatarSvg(user);
      return;
    }
    await next();
  };

  /**
   * Auth0's logout: ends the dev server's session (the next /authorize asks for a user
   * again) and sends the browser to `returnTo`, which must be an allowed logout URL.
   * `federated` is accepted; there is no upstream identity provider to sign out of.
   * Tokens already issued stay valid, as with Auth0.
   */
  async function logout(ctx: KoaContextWithOIDC) {
    const clientId = stringParam(ctx.query.client_id);
    const returnTo = stringParam(ctx.query.returnTo);
    if (clientId !== undefined && clientId !== options.clientId) {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = errorPage(
        'Logout failed',
        `invalid_request: unknown client_id "${clientId}"`,
        [`The dev server knows one client: ${options.clientId}.`],
      );
      return;
    }
    const logoutUrls = options.logoutUrls();
    if (returnTo !== undefined && !logoutUrls.allows(returnTo)) {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = errorPage(
        'Logout failed',
        `invalid_request: The "returnTo" querystring parameter "${returnTo}" is not defined as a valid URL in "Allowed Logout URLs".`,
        [
          `Allowed logout URLs: ${logoutUrls.entries.join(', ')}.`,
          'Start the dev server with AUTH0_DEV_SERVER_LOGOUT_URLS (comma-separated; a loopback port may be *) to allow others, or change its allowed_logout_urls with the admin API (PATCH /clients/{id}).',
        ],
      );
      return;
    }

    const session = await provider.Session.get(ctx);
    if (session.accountId) {
      options.log(`${session.accountId} signed out`);
    }
    await session.destroy();
    ctx.cookies.set(provider.cookieName('session'), null, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: ctx.secure,
    });
    ctx.set('cache-control', 'no-store');
    if (returnTo !== undefined) {
      ctx.status = 302;
      ctx.redirect(returnTo);
      return;
    }
    ctx.type = 'html';
    ctx.body = signedOutPage();
  }
}

function stringParam(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
