/**
 * Answers of the auth backend's `/api/auth/auth0/*` endpoints, as the Auth0 module sends them,
 * and a fetch double that hands them out in order.
 */
import {
  AUTH0_REQUIRED_SCOPES,
  Auth0SignInErrorName,
} from '@backstage-auth0/plugin-auth0-common';

const AUTH0_UNAVAILABLE: Auth0SignInErrorName = 'Auth0UnavailableError';
const AUTH0_REFUSED: Auth0SignInErrorName = 'Auth0RefusedError';

/**
 * The message of the backend's `Auth0UnavailableError`.
 *
 * @public
 */
export const AUTH0_DOWN_MESSAGE =
  'Auth0 is unreachable or failing (timeout after 10s). Wait a minute and try again; if it persists, the platform team should check the Auth0 tenant and the network.';

/**
 * A refreshed session for Alice whose Backstage token is `token` and lasts `seconds`.
 *
 * @public
 */
export function sessionAnswer(token: string, seconds = 3600): Response {
  return Response.json({
    profile: { email: 'alice@example.com', displayName: 'Alice Example' },
    providerInfo: {
      idToken: `id-${token}`,
      accessToken: `access-${token}`,
      scope: AUTH0_REQUIRED_SCOPES.join(' '),
      expiresInSeconds: 86400,
    },
    backstageIdentity: {
      token,
      expiresInSeconds: seconds,
      identity: {
        type: 'user',
        userEntityRef: 'user:default/alice',
        ownershipEntityRefs: ['user:default/alice'],
      },
    },
  });
}

/**
 * 503 from the Auth0 module when Auth0 is unreachable.
 *
 * @public
 */
export function auth0DownAnswer(retryAfterSeconds?: number): Response {
  return Response.json(
    {
      error: { name: AUTH0_UNAVAILABLE, message: AUTH0_DOWN_MESSAGE },
      request: { method: 'GET', url: '/api/auth/auth0/refresh' },
      response: { statusCode: 503 },
    },
    {
      status: 503,
      statusText: 'Service Unavailable',
      headers:
        retryAfterSeconds === undefined
          ? {}
          : { 'Retry-After': String(retryAfterSeconds) },
    },
  );
}

/**
 * 401: the refresh token was revoked or is invalid.
 *
 * @public
 */
export function refusedAnswer(): Response {
  return Response.json(
    {
      error: {
        name: AUTH0_REFUSED,
        message:
          'Auth0 refused the sign-in: Unknown or invalid refresh token. (invalid_grant). Try again; if it keeps happening, tell the platform team this message.',
      },
      request: { method: 'GET', url: '/api/auth/auth0/refresh' },
      response: { statusCode: 401 },
    },
    { status: 401, statusText: 'Unauthorized' },
  );
}

/**
 * The auth backend that {@link authBackend} stands up in place of `fetch`.
 *
 * @public
 */
export type AuthBackend = {
  /** The spy that replaced `fetch`. */
  fetchMock: jest.SpyInstance<Promise<Response>, Parameters<typeof fetch>>;
  /** When each request was made (`Date.now()`, so fake timers apply). */
  calledAt: number[];
  /** Adds answers for the requests still to come; returns how many are queued. */
  answer(...more: Array<Response | Error>): number;
  /** The URL of every request so far. */
  urls(): string[];
};

/**
 * Replaces `fetch`: each call takes the next answer (a `Response`, or an `Error` to reject
 * with) and records when it was made; a call with no answer left fails the test. Call it
 * in a test with `jest.restoreAllMocks()` after each.
 *
 * @public
 */
export function authBackend(...answers: Array<Response | Error>): AuthBackend {
  const queue = [...answers];
  const calledAt: number[] = [];
  const fetchMock = jest
    .spyOn(global, 'fetch')
    .mockImplementation(async input => {
      calledAt.push(Date.now());
      const answer = queue.shift();
      if (!answer) {
        throw new Error(`Unexpected request to ${String(input)}`);
      }
      if (!(answer instanceof Response)) {
        throw answer;
      }
      return answer;
    });
  return {
    fetchMock,
    calledAt,
    answer: (...more: Array<Response | Error>) => queue.push(...more),
    urls: () => fetchMock.mock.calls.map(([input]) => String(input)),
  };
}
