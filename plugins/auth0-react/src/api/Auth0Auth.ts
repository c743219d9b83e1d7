import {
  AUTH0_PROVIDER_ID,
  AUTH0_REQUIRED_SCOPES,
} from '@backstage-auth0/plugin-auth0-common';
import { OAuth2 } from '@backstage/core-app-api';
import {
  AuthRequestOptions,
  BackstageIdentityResponse,
  ConfigApi,
  DiscoveryApi,
  OAuthRequestApi,
  ProfileInfo,
  SessionApi,
} from '@backstage/frontend-plugin-api';
import { Auth0Availability } from './auth0Availability';
import { Auth0AuthApi } from './auth0AuthApiRef';
import { Auth0AuthConnector } from './Auth0AuthConnector';
import { readAuthEnvironment } from './authEnvironment';

/**
 * What the frontend asks Auth0 for: the scopes the backend module requires too, so a
 * session always has an email and (`offline_access`) a refresh token.
 */
const AUTH0_SCOPES = [...AUTH0_REQUIRED_SCOPES];

const AUTH0_PROVIDER = {
  id: AUTH0_PROVIDER_ID,
  title: 'Auth0',
  icon: () => null,
};

/** @public */
export type Auth0AuthOptions = {
  configApi: ConfigApi;
  discoveryApi: DiscoveryApi;
  oauthRequestApi: OAuthRequestApi;
  /** Sends the browser to Auth0's logout URL. Defaults to `window.location.assign`. */
  navigate?: (url: string) => void;
  /** For tests: the source of the retries' jitter. Defaults to `Math.random`. */
  random?: () => number;
};

/**
 * Auth0 through Backstage's OAuth2 client (popup, silent refresh), with a sign-out that ends
 * both sessions: the backend's logout ends Backstage's (its refresh cookie) and answers with
 * Auth0's `/v2/logout` URL, which ends Auth0's and returns the browser to the app.
 *
 * A refresh that fails for a while (the backend answers 503 when Auth0 is unreachable) does
 * not sign the person out: the page keeps its session, retries with backoff, and reports
 * the outage through {@link Auth0Auth.getAvailability}. Only a refused refresh (401) ends it.
 *
 * @public
 */
export class Auth0Auth implements Auth0AuthApi {
  static create(options: Auth0AuthOptions): Auth0Auth {
    const { configApi, discoveryApi, oauthRequestApi } = options;
    const environment = readAuthEnvironment(configApi);
    const connector = new Auth0AuthConnector({
      discoveryApi,
      oauthRequestApi,
      environment,
      provider: AUTH0_PROVIDER,
      defaultScopes: AUTH0_SCOPES,
      redirectFlow:
        configApi.getOptionalBoolean('enableExperimentalRedirectFlow') ?? false,
      random: options.random,
    });
    const oauth = OAuth2.create({
      authConnector: connector,
      defaultScopes: AUTH0_SCOPES,
    });
    return new Auth0Auth(
      oauth,
      connector,
      discoveryApi,
      environment,
      options.navigate ?? (url => window.location.assign(url)),
    );
  }

  private constructor(
    private readonly oauth: OAuth2,
    private readonly connector: Auth0AuthConnector,
    private readonly discoveryApi: DiscoveryApi,
    private readonly environment: string,
    private readonly navigate: (url: string) => void,
  ) {}

  getIdToken(options?: AuthRequestOptions): Promise<string> {
    return this.oauth.getIdToken(options);
  }

  getProfile(options?: AuthRequestOptions): Promise<ProfileInfo | undefined> {
    return this.oauth.getProfile(options);
  }

  getBackstageIdentity(
    options?: AuthRequestOptions,
  ): Promise<BackstageIdentityResponse | undefined> {
    return this.oauth.getBackstageIdentity(options);
  }

  signIn(): Promise<void> {
    return this.oauth.signIn();
  }

  sessionState$(): ReturnType<SessionApi['sessionState$']> {
    return this.oauth.sessionState$();
  }

  getAvailability(): Auth0Availability {
    return this.connector.getAvailability();
  }

  subscribeToAvailability(listener: () => void): () => void {
    return this.connector.subscribeToAvailability(listener);
  }

  async signOut(): Promise<void> {
    const logoutUrl = await this.endBackstageSession();
    // No more retries: the refresh cookie is gone.
    this.connector.forget();
    if (logoutUrl) {
      this.navigate(logoutUrl);
      // Never settles: the page is being replaced, and a caller that went on to navigate
      // elsewhere (Backstage's identity proxy does) would cancel the Auth0 logout.
      return new Promise<void>(() => {});
    }
    // No Auth0 URL to follow: let the OAuth2 client forget its session in this page too.
    return this.oauth.signOut();
  }

  /** POSTs the backend's logout, which removes the refresh cookie; returns Auth0's logout URL. */
  private async endBackstageSession(): Promise<string | undefined> {
    const baseUrl = await this.discoveryApi.getBaseUrl('auth');
    const url = `${baseUrl}/${
      AUTH0_PROVIDER.id
    }/logout?env=${encodeURIComponent(this.environment)}`;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'x-requested-with': 'XMLHttpRequest' },
      credentials: 'include',
    });
    if (!response.ok) {
      throw new Error(
        `Sign-out failed: ${url} answered ${response.status} ${response.statusText}`.trim(),
      );
    }
    if (!response.headers.get('content-type')?.includes('application/json')) {
      return undefined;
    }
    const body: { logoutUrl?: unknown } = await response.json();
    return isFollowableLogoutUrl(body.logoutUrl) ? body.logoutUrl : undefined;
  }
}

/** The same rule the auth backend applies before handing a logout URL out. */
function isFollowableLogoutUrl(value: unknown): value is string {
  if (typeof value !== 'string') {
    return false;
  }
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.hostname === 'localhost';
  } catch {
    return false;
  }
}
