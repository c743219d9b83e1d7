import { Auth0SignInErrorName } from '@backstage-auth0/plugin-auth0-common';
import {
  AuthConnector,
  AuthConnectorCreateSessionOptions,
  AuthConnectorRefreshSessionOptions,
  OAuth2,
  OAuth2Session,
  openLoginPopup,
} from '@backstage/core-app-api';
import {
  AuthProviderInfo,
  BackstageUserIdentity,
  DiscoveryApi,
  OAuthRequestApi,
  OAuthRequester,
  ProfileInfo,
} from '@backstage/frontend-plugin-api';
import {
  Auth0Availability,
  Auth0AvailabilityApi,
  AVAILABLE,
} from './auth0Availability';
import { parseRetryAfter, retryDelayMs } from './retryPolicy';

/** What `/refresh` and the sign-in popup answer with. */
type AuthResponse = {
  profile: ProfileInfo;
  providerInfo: {
    idToken: string;
    accessToken: string;
    scope: string;
    expiresInSeconds?: number;
  };
  backstageIdentity?: {
    token: string;
    expiresInSeconds?: number;
    identity: BackstageUserIdentity;
  };
};

/** Backstage's error body: `{ error: { name, message }, response: { statusCode } }`. */
type ErrorBody = { error?: { name?: unknown; message?: unknown } };

type RefreshOutcome =
  | { kind: 'session'; session: OAuth2Session }
  /** A definite "no": 401 and other 4xx. The session ends, as core-app-api decides. */
  | { kind: 'refused'; error: Error }
  /** Nothing definite: 5xx, 429, no answer. The session is kept and the refresh retried. */
  | {
      kind: 'unavailable';
      cause: 'auth0' | 'backstage';
      /** The name to give the error when this page has no session to answer with. */
      name: string;
      message: string;
      retryAfterMs?: number;
    };

type Unavailable = Extract<Auth0Availability, { status: 'unavailable' }>;

/** What the backend module calls Auth0 being unreachable (it answers 503 with it). */
const AUTH0_UNAVAILABLE =
  'Auth0UnavailableError' satisfies Auth0SignInErrorName;

/** Statuses after which the same refresh may well work later. */
const TRANSIENT_STATUSES = new Set([429, 500, 502, 503, 504]);
/** A refresh that hangs this long counts as unanswered. */
const REFRESH_TIMEOUT_MS = 30_000;
/** A Backstage token this close to its expiry no longer counts as valid. */
const EXPIRY_MARGIN_MS = 10_000;
/** A session a retry fetched is handed to the next caller only while this fresh. */
const HANDOFF_MAX_AGE_MS = 60_000;

export type Auth0AuthConnectorOptions = {
  discoveryApi: DiscoveryApi;
  oauthRequestApi: OAuthRequestApi;
  environment: string;
  provider: AuthProviderInfo;
  defaultScopes: string[];
  /** `enableExperimentalRedirectFlow`: sign in by redirecting the page instead of a popup. */
  redirectFlow: boolean;
  /** For tests: the jitter source. */
  random?: () => number;
};

/**
 * The connector under core-app-api's `OAuth2` (its public `authConnector` option): popup
 * sign-in as Backstage's default connector does it, and a refresh that survives an outage.
 *
 * `OAuth2`'s `RefreshingAuthSessionManager` drops the session (signed-out state, and a sign-in
 * prompt for the next non-optional request) whenever `refreshSession` throws anything but an
 * `AuthConnectionError`. The connector is the one place below it that decides what a refresh
 * answers, so the outage handling is here:
 *
 * - a definite refusal (401, other 4xx) is thrown as before: the session ends;
 * - 503 and other transient failures start an outage: the refresh answers with the last good
 *   session while its Backstage token is valid (so the page keeps working and stays signed in),
 *   then with an `AuthConnectionError` (which the manager passes on without dropping the
 *   session); with no session in this page it throws, as a refused refresh would;
 * - during the outage no request reaches the backend except the retries, which follow
 *   exponential backoff with jitter (`Retry-After` as a lower bound). The first that succeeds
 *   is handed to the next refresh; the first definite refusal ends the outage, and the next
 *   refresh meets the refusal itself.
 */
export class Auth0AuthConnector
  implements AuthConnector<OAuth2Session>, Auth0AvailabilityApi
{
  private readonly authRequester: OAuthRequester<OAuth2Session>;
  private readonly random: () => number;
  private readonly listeners = new Set<() => void>();

  private availability: Auth0Availability = AVAILABLE;
  /** The last session this page got: what it keeps working with during an outage. */
  private lastGood?: OAuth2Session;
  /** A session a retry fetched, for the next refresh to take instead of asking again. */
  private handoff?: { session: OAuth2Session; receivedAt: number };
  private retryTimer?: ReturnType<typeof setTimeout>;
  private retryScopes: Set<string>;
  /** Changes whenever an outage ends, so that a late retry answer is ignored. */
  private outageId = 0;
  /** The name of the last failure, for the error thrown to a page without a session. */
  private errorName: string = AUTH0_UNAVAILABLE;

  constructor(private readonly options: Auth0AuthConnectorOptions) {
    this.random = options.random ?? Math.random;
    this.retryScopes = new Set(options.defaultScopes);
    this.authRequester = options.oauthRequestApi.createAuthRequester({
      provider: options.provider,
      onAuthRequest: scopes => this.openSignIn(scopes),
    });
  }

  getAvailability(): Auth0Availability {
    return this.availability;
  }

  subscribeToAvailability(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async createSession(
    options: AuthConnectorCreateSessionOptions,
  ): Promise<OAuth2Session> {
    const session = options.instantPopup
      ? await this.openSignIn(options.scopes)
      : await this.authRequester(options.scopes);
    this.received(session);
    return session;
  }

  async refreshSession(
    options?: AuthConnectorRefreshSessionOptions,
  ): Promise<OAuth2Session> {
    const scopes = options?.scopes ?? new Set(this.options.defaultScopes);
    const handoff = this.takeHandoff(scopes);
    if (handoff) {
      return handoff;
    }
    if (this.availability.status === 'unavailable') {
      // Between retries: answer from what this page has, without asking the backend.
      return this.answerDuringOutage();
    }
    const outcome = await this.requestRefresh(scopes);
    if (outcome.kind === 'session') {
      this.received(outcome.session);
      return outcome.session;
    }
    if (outcome.kind === 'refused') {
      this.lastGood = undefined;
      throw outcome.error;
    }
    this.failed(outcome, scopes);
    return this.answerDuringOutage();
  }

  /** Backstage's session is ended by `Auth0Auth.signOut`; this forgets it in this page. */
  async removeSession(): Promise<void> {
    this.forget();
  }

  /** Forgets the session and stops retrying, e.g. when the person signs out. */
  forget(): void {
    this.lastGood = undefined;
    this.handoff = undefined;
    this.endOutage();
  }

  private received(session: OAuth2Session) {
    this.lastGood = session;
    this.endOutage();
  }

  private endOutage() {
    this.outageId++;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.setAvailability(AVAILABLE);
  }

  private failed(
    outcome: Extract<RefreshOutcome, { kind: 'unavailable' }>,
    scopes: Set<string>,
  ) {
    const previous = this.availability;
    const failedAttempts =
      previous.status === 'unavailable' ? previous.failedAttempts + 1 : 1;
    const delay = retryDelayMs(
      failedAttempts,
      outcome.retryAfterMs,
      this.random,
    );
    this.retryScopes = scopes;
    this.errorName = outcome.name;
    this.setAvailability({
      status: 'unavailable',
      cause: outcome.cause,
      message: outcome.message,
      session: this.sessionState(),
      failedAttempts,
      nextAttemptAt: new Date(Date.now() + delay),
    });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.retry(), delay);
  }

  private async retry() {
    this.retryTimer = undefined;
    const outageId = this.outageId;
    const outcome = await this.requestRefresh(this.retryScopes);
    if (outageId !== this.outageId) {
      return; // Signed in or out meanwhile.
    }
    if (outcome.kind === 'session') {
      this.handoff = { session: outcome.session, receivedAt: Date.now() };
      this.received(outcome.session);
    } else if (outcome.kind === 'refused') {
      // The next refresh asks again and meets the refusal: core-app-api ends the session.
      this.lastGood = undefined;
      this.endOutage();
    } else {
      this.failed(outcome, this.retryScopes);
    }
  }

  private answerDuringOutage(): OAuth2Session {
    const outage = this.availability as Unavailable;
    const session = this.sessionState();
    if (session !== outage.session) {
      this.setAvailability({ ...outage, session });
    }
    if (session === 'kept') {
      return this.lastGood!;
    }
    if (session === 'expired') {
      // Core-app-api passes an AuthConnectionError on, keeping the session and its state.
      throw namedError(
        'AuthConnectionError',
        `Your Backstage sign-in expired while ${
          outage.cause === 'auth0'
            ? 'Auth0 is unreachable'
            : "Backstage's sign-in service is not answering"
        }; Backstage keeps retrying and continues by itself once it can renew it. (${
          outage.message
        })`,
      );
    }
    throw namedError(this.errorName, outage.message);
  }

  private sessionState(): Unavailable['session'] {
    if (!this.lastGood) {
      return 'none';
    }
    const expiresAt = this.lastGood.backstageIdentity?.expiresAt;
    return !expiresAt || expiresAt.getTime() - EXPIRY_MARGIN_MS > Date.now()
      ? 'kept'
      : 'expired';
  }

  private takeHandoff(scopes: Set<string>): OAuth2Session | undefined {
    const handoff = this.handoff;
    this.handoff = undefined;
    if (
      !handoff ||
      Date.now() - handoff.receivedAt > HANDOFF_MAX_AGE_MS ||
      ![...scopes].every(scope =>
        handoff.session.providerInfo.scopes.has(scope),
      )
    ) {
      return undefined;
    }
    return handoff.session;
  }

  private setAvailability(availability: Auth0Availability) {
    if (availability === this.availability) {
      return;
    }
    this.availability = availability;
    for (const listener of [...this.listeners]) {
      listener();
    }
  }

  /** `GET /refresh`, classified; never throws. */
  private async requestRefresh(scopes: Set<string>): Promise<RefreshOutcome> {
    try {
      return await this.classifyRefresh(scopes);
    } catch (error) {
      return { kind: 'refused', error: error as Error };
    }
  }

  private async classifyRefresh(scopes: Set<string>): Promise<RefreshOutcome> {
    let response: Response;
    try {
      const url = await this.buildUrl('/refresh', {
        optional: true,
        scope: [...scopes].join(' '),
      });
      response = await this.withRefreshLock(url, () => fetchWithTimeout(url));
    } catch (error) {
      return {
        kind: 'unavailable',
        cause: 'backstage',
        // As core-app-api names it: a sign-in popup would not get through either.
        name: 'AuthConnectionError',
        message: `The auth backend could not be reached (${String(error)}).`,
      };
    }

    const body = await readJson(response);
    const reported = toNameAndMessage((body as ErrorBody | undefined)?.error);
    if (response.ok && !reported) {
      return { kind: 'session', session: toSession(body as AuthResponse) };
    }
    if (TRANSIENT_STATUSES.has(response.status)) {
      return {
        kind: 'unavailable',
        cause: reported?.name === AUTH0_UNAVAILABLE ? 'auth0' : 'backstage',
        name: reported?.name ?? 'AuthRefreshUnavailableError',
        message:
          reported?.message ??
          `The auth backend answered ${[response.status, response.statusText]
            .filter(Boolean)
            .join(' ')}.`,
        retryAfterMs: parseRetryAfter(
          response.headers.get('retry-after'),
          Date.now(),
        ),
      };
    }
    const error = namedError(
      reported?.name ?? 'Error',
      reported?.message ??
        `Auth refresh request failed, ${
          response.statusText || response.status
        }`,
    );
    (error as Error & { status?: number }).status = response.status;
    return { kind: 'refused', error };
  }

  /** One refresh at a time per browser, as core-app-api does, for refresh token rotation. */
  private async withRefreshLock(
    url: string,
    request: () => Promise<Response>,
  ): Promise<Response> {
    const locks = window.navigator.locks;
    if (!locks) {
      return request();
    }
    const { origin, pathname } = new URL(url);
    return locks.request(
      `backstage-auth-refresh:${origin}${pathname}`,
      request,
    );
  }

  private async openSignIn(scopes: Set<string>): Promise<OAuth2Session> {
    const scope = [...scopes].join(' ');
    if (this.options.redirectFlow) {
      window.location.href = await this.buildUrl('/start', {
        scope,
        origin: window.location.origin,
        redirectUrl: window.location.href,
        flow: 'redirect',
      });
      return new Promise(() => {});
    }
    const payload = await openLoginPopup({
      url: await this.buildUrl('/start', {
        scope,
        origin: window.location.origin,
        flow: 'popup',
      }),
      name: `${this.options.provider.title} Login`,
      width: 450,
      height: 730,
    });
    return toSession(payload as AuthResponse);
  }

  private async buildUrl(
    path: string,
    query: Record<string, string | boolean>,
  ): Promise<string> {
    const baseUrl = await this.options.discoveryApi.getBaseUrl('auth');
    const entries: [string, string | boolean][] = [
      ...Object.entries(query),
      ['env', this.options.environment],
    ];
    const params = entries
      .map(([key, value]) =>
        value === true
          ? encodeURIComponent(key)
          : `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`,
      )
      .join('&');
    return `${baseUrl}/${this.options.provider.id}${path}?${params}`;
  }
}

async function fetchWithTimeout(url: string): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REFRESH_TIMEOUT_MS);
  try {
    return await fetch(url, {
      headers: { 'x-requested-with': 'XMLHttpRequest' },
      credentials: 'include',
      signal: controller.signal,
    });
  } finally {
    clearTimeout(timer);
  }
}

async function readJson(response: Response): Promise<unknown> {
  if (!response.headers.get('content-type')?.includes('application/json')) {
    return undefined;
  }
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

function toNameAndMessage(
  error: ErrorBody['error'],
): { name?: string; message?: string } | undefined {
  if (!error || typeof error !== 'object') {
    return undefined;
  }
  const name = typeof error.name === 'string' ? error.name : undefined;
  const message =
    typeof error.message === 'string' && error.message
      ? error.message
      : undefined;
  return name || message ? { name, message } : undefined;
}

/** The same session `OAuth2`'s own connector builds from the backend's answer. */
function toSession(response: AuthResponse): OAuth2Session {
  const now = Date.now();
  const { backstageIdentity, providerInfo, profile } = response;
  return {
    profile,
    providerInfo: {
      idToken: providerInfo.idToken,
      accessToken: providerInfo.accessToken,
      scopes: OAuth2.normalizeScopes(providerInfo.scope),
      expiresAt: providerInfo.expiresInSeconds
        ? new Date(now + providerInfo.expiresInSeconds * 1000)
        : undefined,
    },
    ...(backstageIdentity && {
      backstageIdentity: {
        token: backstageIdentity.token,
        identity: backstageIdentity.identity,
        expiresAt: backstageIdentity.expiresInSeconds
          ? new Date(now + backstageIdentity.expiresInSeconds * 1000)
          : undefined,
      },
    }),
  };
}

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
