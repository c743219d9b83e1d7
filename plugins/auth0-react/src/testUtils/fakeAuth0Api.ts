import {
  AuthRequestOptions,
  BackstageIdentityResponse,
} from '@backstage/frontend-plugin-api';
import { Auth0Availability } from '../api/auth0Availability';
import { Auth0AuthApi } from '../api/auth0AuthApiRef';

/**
 * Whom {@link fakeAuth0Api} signs in: Alice, in the group team-a.
 *
 * @public
 */
export const aliceIdentity: BackstageIdentityResponse = {
  token: 'alice-backstage-token',
  identity: {
    type: 'user',
    userEntityRef: 'user:default/alice',
    ownershipEntityRefs: ['user:default/alice', 'group:default/team-a'],
  },
};

/**
 * Alice's profile as Auth0 gives it.
 *
 * @public
 */
export const aliceProfile = {
  email: 'alice@example.com',
  displayName: 'Alice Example',
  picture: 'https://example.com/alice.png',
};

/**
 * Auth0 unreachable, as the real API reports it after a refresh got 503.
 *
 * @public
 */
export function auth0Unreachable(
  session: 'kept' | 'expired' | 'none',
): Auth0Availability {
  return {
    status: 'unavailable',
    cause: 'auth0',
    message:
      'Auth0 is unreachable or failing (timeout after 10s). Wait a minute and try again.',
    session,
    failedAttempts: 1,
    nextAttemptAt: new Date(Date.now() + 5000),
  };
}

/**
 * An Auth0 API double. `existingSession`: a silent (`optional`) request finds Alice's session,
 * as after a reload. `popup`: what the popup sign-in gives, a session or an error to throw.
 * `availability`: what it reports about renewing the session; `setAvailability` changes it.
 *
 * @public
 */
export function fakeAuth0Api(options: {
  existingSession?: boolean;
  popup?: 'signs-in' | Error;
  availability?: Auth0Availability;
}) {
  const requests: AuthRequestOptions[] = [];
  let signedIn = Boolean(options.existingSession);
  let availability: Auth0Availability = options.availability ?? {
    status: 'available',
  };
  const listeners = new Set<() => void>();
  const api = {
    requests,
    setAvailability(next: Auth0Availability) {
      availability = next;
      listeners.forEach(listener => listener());
    },
    getAvailability: () => availability,
    subscribeToAvailability: (listener: () => void) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    getBackstageIdentity: jest.fn(async (request: AuthRequestOptions = {}) => {
      requests.push(request);
      if (signedIn) {
        return aliceIdentity;
      }
      if (request.optional) {
        return undefined;
      }
      if (options.popup instanceof Error) {
        throw options.popup;
      }
      signedIn = true;
      return aliceIdentity;
    }),
    getProfile: jest.fn(async () => (signedIn ? aliceProfile : undefined)),
    getIdToken: jest.fn(async () => 'alice-id-token'),
    signIn: jest.fn(async () => {}),
    signOut: jest.fn(async () => {
      signedIn = false;
    }),
    sessionState$: jest.fn(),
  } satisfies Auth0AuthApi & {
    requests: AuthRequestOptions[];
    setAvailability(next: Auth0Availability): void;
  };
  return api;
}

/**
 * An error as Backstage's popup helper raises it from the backend's `{ name, message }`.
 *
 * @public
 */
export function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
