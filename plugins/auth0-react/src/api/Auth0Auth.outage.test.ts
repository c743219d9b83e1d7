import {
  PendingOAuthRequest,
  SessionState,
} from '@backstage/frontend-plugin-api';
import { createRealAuth0Auth } from '../__testUtils__/realAuth0Auth';
import {
  AUTH0_DOWN_MESSAGE,
  auth0DownAnswer,
  authBackend,
  refusedAnswer,
  sessionAnswer,
} from '../testUtils/authBackend';
import { Auth0Auth } from './Auth0Auth';

/** A Backstage token this short-lived is refreshed at the next request (under 3 minutes left). */
const SHORT = 120;

function createAuth0Auth(random = () => 0) {
  const { auth, oauthRequestApi } = createRealAuth0Auth({
    environment: 'production',
    random,
  });
  const states: SessionState[] = [];
  auth.sessionState$().subscribe(state => states.push(state));
  /** Backstage's "sign in to continue" requests, as its OAuthRequestDialog would list them. */
  let signInRequests: PendingOAuthRequest[] = [];
  oauthRequestApi.authRequest$().subscribe(requests => {
    signInRequests = requests;
  });
  return { auth, states, signInRequests: () => signInRequests };
}

const token = async (auth: Auth0Auth) =>
  (await auth.getBackstageIdentity())?.token;

/**
 * Signed in on token-1, which is due for renewal, and the renewal fails: the app still gets
 * token-1. The backend gives `answers` to the renewal and to the requests after it; retries
 * wait the jitter's lower end, half the backoff step.
 */
async function renewalFailed(...answers: Array<Response | Error>) {
  const backend = authBackend(sessionAnswer('token-1', SHORT), ...answers);
  const created = createAuth0Auth(() => 0);
  expect(await token(created.auth)).toBe('token-1');
  expect(await token(created.auth)).toBe('token-1');
  return { backend, ...created };
}

let open: jest.SpyInstance;

beforeEach(() => {
  jest.useFakeTimers();
  open = jest.spyOn(window, 'open').mockReturnValue(null);
});

afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe('Auth0Auth while Auth0 is unreachable (refresh answers 503)', () => {
  it('keeps an open tab signed in on its current token, retries, then carries on with the new token', async () => {
    const backend = authBackend(
      sessionAnswer('token-1', SHORT),
      auth0DownAnswer(5),
      sessionAnswer('token-2'),
    );
    const { auth, states, signInRequests } = createAuth0Auth();
    const changes = jest.fn();
    auth.subscribeToAvailability(changes);

    expect(await token(auth)).toBe('token-1');
    // token-1 is due for renewal, so this request refreshes, and Auth0 is down.
    expect(await token(auth)).toBe('token-1');

    expect(backend.fetchMock).toHaveBeenCalledTimes(2);
    expect(auth.getAvailability()).toEqual({
      status: 'unavailable',
      cause: 'auth0',
      message: AUTH0_DOWN_MESSAGE,
      session: 'kept',
      failedAttempts: 1,
      nextAttemptAt: new Date(Date.now() + 5000),
    });
    expect(changes).toHaveBeenCalledTimes(1);
    // Not signed out, no sign-in prompt.
    expect(states).toEqual([SessionState.SignedOut, SessionState.SignedIn]);
    expect(signInRequests()).toEqual([]);
    expect(open).not.toHaveBeenCalled();

    // Between retries the app's requests do not reach the backend.
    expect(await token(auth)).toBe('token-1');
    await expect(auth.getIdToken()).resolves.toBe('id-token-1');
    expect(backend.fetchMock).toHaveBeenCalledTimes(2);

    // Retry-After: 5 is the earliest retry.
    await jest.advanceTimersByTimeAsync(4999);
    expect(backend.fetchMock).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(backend.fetchMock).toHaveBeenCalledTimes(3);
    expect(backend.urls()[2]).toBe(
      'http://localhost:7007/api/auth/auth0/refresh?optional&scope=openid%20profile%20email%20offline_access&env=production',
    );

    expect(auth.getAvailability()).toEqual({ status: 'available' });
    expect(changes).toHaveBeenCalledTimes(2);
    // The retry's session is the next one handed out, without asking again.
    expect(await token(auth)).toBe('token-2');
    expect(backend.fetchMock).toHaveBeenCalledTimes(3);
    expect(states).toEqual([SessionState.SignedOut, SessionState.SignedIn]);
  });

  it('backs off exponentially with jitter up to 60 s, never sooner than Retry-After', async () => {
    const backend = authBackend(
      sessionAnswer('token-1', 3600),
      auth0DownAnswer(),
      auth0DownAnswer(30),
      ...Array.from({ length: 6 }, () => auth0DownAnswer()),
      sessionAnswer('token-2'),
    );
    // The jitter's upper end: each wait is the whole backoff step.
    const { auth } = createAuth0Auth(() => 1);
    await token(auth);
    // An hour later the token is due for renewal.
    jest.setSystemTime(Date.now() + 3500_000);

    await token(auth);
    await jest.advanceTimersByTimeAsync(10 * 60_000);

    const waits = backend.calledAt
      .slice(2)
      .map((at, index) => at - backend.calledAt[index + 1]);
    expect(waits).toEqual([
      2_000, // after the 1st failure (no Retry-After)
      30_000, // after the 2nd: the backoff says 4 s, Retry-After says 30 s
      8_000,
      16_000,
      32_000,
      60_000,
      60_000,
      60_000,
    ]);
    expect(auth.getAvailability()).toEqual({ status: 'available' });
  });

  it('counts failed attempts and says when the next one is due', async () => {
    const { auth } = await renewalFailed(auth0DownAnswer(), auth0DownAnswer());
    expect(auth.getAvailability()).toMatchObject({
      failedAttempts: 1,
      nextAttemptAt: new Date(Date.now() + 1000),
    });

    await jest.advanceTimersByTimeAsync(1000);

    expect(auth.getAvailability()).toMatchObject({
      failedAttempts: 2,
      nextAttemptAt: new Date(Date.now() + 2000),
    });
  });

  it('ends the session as before when a retry is refused (401)', async () => {
    const { auth, states, signInRequests } = await renewalFailed(
      auth0DownAnswer(5),
      refusedAnswer(),
      refusedAnswer(),
    );

    await jest.advanceTimersByTimeAsync(5000);

    expect(auth.getAvailability()).toEqual({ status: 'available' });
    expect(signInRequests()).toEqual([]);
    // The next request meets the refusal: signed out, and Backstage asks to sign in again.
    const pending = auth.getBackstageIdentity();
    await jest.advanceTimersByTimeAsync(0);
    expect(signInRequests()).toEqual([
      expect.objectContaining({
        provider: expect.objectContaining({ title: 'Auth0' }),
      }),
    ]);
    signInRequests()[0].reject();
    await expect(pending).rejects.toThrow();
    expect(states).toEqual([
      SessionState.SignedOut,
      SessionState.SignedIn,
      SessionState.SignedOut,
    ]);
  });

  it('stays signed in when the token expires during the outage, failing requests until Auth0 is back', async () => {
    const { backend, auth, states, signInRequests } = await renewalFailed(
      auth0DownAnswer(300),
      sessionAnswer('token-2'),
    );

    await jest.advanceTimersByTimeAsync(SHORT * 1000);

    const error = await auth.getBackstageIdentity().catch(e => e);
    expect(error.message).toMatch(
      /^Your Backstage sign-in expired while Auth0 is unreachable; Backstage keeps retrying/,
    );
    await expect(
      auth.getBackstageIdentity({ optional: true }),
    ).resolves.toBeUndefined();
    expect(auth.getAvailability()).toMatchObject({
      status: 'unavailable',
      session: 'expired',
    });
    expect(states).toEqual([SessionState.SignedOut, SessionState.SignedIn]);
    expect(signInRequests()).toEqual([]);
    expect(open).not.toHaveBeenCalled();
    expect(backend.fetchMock).toHaveBeenCalledTimes(2);

    await jest.advanceTimersByTimeAsync(300_000 - SHORT * 1000);

    expect(await token(auth)).toBe('token-2');
    expect(auth.getAvailability()).toEqual({ status: 'available' });
  });

  it('after a reload, finds no session yet, reports the outage, and has the session once a retry gets it', async () => {
    const backend = authBackend(auth0DownAnswer(5), sessionAnswer('token-2'));
    const { auth, states } = createAuth0Auth();

    await expect(
      auth.getBackstageIdentity({ optional: true }),
    ).resolves.toBeUndefined();
    expect(auth.getAvailability()).toMatchObject({
      status: 'unavailable',
      cause: 'auth0',
      session: 'none',
    });

    await jest.advanceTimersByTimeAsync(5000);

    expect(auth.getAvailability()).toEqual({ status: 'available' });
    await expect(
      auth.getBackstageIdentity({ optional: true }),
    ).resolves.toMatchObject({ token: 'token-2' });
    expect(backend.fetchMock).toHaveBeenCalledTimes(2);
    expect(states).toEqual([SessionState.SignedOut, SessionState.SignedIn]);
  });

  it('stops retrying when the person signs out', async () => {
    const { backend, auth } = await renewalFailed(
      auth0DownAnswer(5),
      new Response(null),
    );

    await auth.signOut();
    await jest.advanceTimersByTimeAsync(10 * 60_000);

    expect(auth.getAvailability()).toEqual({ status: 'available' });
    expect(backend.urls()[2]).toBe(
      'http://localhost:7007/api/auth/auth0/logout?env=production',
    );
    expect(backend.fetchMock).toHaveBeenCalledTimes(3);
  });

  it("blames Backstage's sign-in service, not Auth0, for other server errors and no answer", async () => {
    const { auth, states } = await renewalFailed(
      new Response('<html>Bad Gateway</html>', {
        status: 502,
        statusText: 'Bad Gateway',
      }),
      new TypeError('Failed to fetch'),
    );

    expect(auth.getAvailability()).toMatchObject({
      cause: 'backstage',
      message: 'The auth backend answered 502 Bad Gateway.',
      session: 'kept',
    });

    await jest.advanceTimersByTimeAsync(1000);

    expect(auth.getAvailability()).toMatchObject({
      cause: 'backstage',
      message:
        'The auth backend could not be reached (TypeError: Failed to fetch).',
      failedAttempts: 2,
    });
    expect(states).toEqual([SessionState.SignedOut, SessionState.SignedIn]);
  });
});
