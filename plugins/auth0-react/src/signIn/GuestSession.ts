import {
  BackstageUserIdentity,
  DiscoveryApi,
  IdentityApi,
  ProfileInfo,
} from '@backstage/frontend-plugin-api';

/** Remembers, in this browser, that the person chose guest, so a reload signs in again. */
const GUEST_CHOSEN_KEY = '@backstage-auth0/plugin-auth0-react:guest';

/** Renew the guest token this long before it expires. */
const RENEW_MARGIN_MS = 60_000;
/** When the backend says nothing about expiry. */
const DEFAULT_LIFETIME_MS = 10 * 60_000;

type GuestRefreshResponse = {
  profile?: ProfileInfo;
  backstageIdentity: {
    token: string;
    expiresInSeconds?: number;
    identity: BackstageUserIdentity;
  };
};

type Session = GuestRefreshResponse & { expiresAt: number };

/**
 * A development-only identity from the backend's guest provider (`/api/auth/guest/refresh`),
 * which issues a real Backstage token for the configured guest user.
 */
export class GuestSession implements IdentityApi {
  static wasChosen(): boolean {
    return localStorage.getItem(GUEST_CHOSEN_KEY) === 'true';
  }

  static forget(): void {
    localStorage.removeItem(GUEST_CHOSEN_KEY);
  }

  static async signIn(discoveryApi: DiscoveryApi): Promise<GuestSession> {
    const guest = new GuestSession(discoveryApi);
    await guest.session();
    localStorage.setItem(GUEST_CHOSEN_KEY, 'true');
    return guest;
  }

  private current?: Promise<Session>;

  private constructor(private readonly discoveryApi: DiscoveryApi) {}

  async getProfileInfo(): Promise<ProfileInfo> {
    return (await this.session()).profile ?? {};
  }

  async getBackstageIdentity(): Promise<BackstageUserIdentity> {
    return (await this.session()).backstageIdentity.identity;
  }

  async getCredentials(): Promise<{ token?: string }> {
    return { token: (await this.session()).backstageIdentity.token };
  }

  async signOut(): Promise<void> {
    GuestSession.forget();
  }

  private async session(): Promise<Session> {
    const current = await this.current?.catch(() => undefined);
    if (current && current.expiresAt - RENEW_MARGIN_MS > Date.now()) {
      return current;
    }
    this.current = this.fetchSession();
    return this.current;
  }

  private async fetchSession(): Promise<Session> {
    const baseUrl = await this.discoveryApi.getBaseUrl('auth');
    const response = await fetch(`${baseUrl}/guest/refresh`, {
      headers: { 'x-requested-with': 'XMLHttpRequest' },
      credentials: 'include',
    });
    if (!response.ok) {
      const error = new Error(
        `Guest sign-in failed: the auth backend answered ${response.status} ${response.statusText}. ` +
          'Guest exists only when auth.environment is development in the backend config too.',
      );
      error.name = 'GuestSignInError';
      throw error;
    }
    const body: GuestRefreshResponse = await response.json();
    const lifetimeMs =
      (body.backstageIdentity.expiresInSeconds ?? 0) * 1000 ||
      DEFAULT_LIFETIME_MS;
    return { ...body, expiresAt: Date.now() + lifetimeMs };
  }
}
