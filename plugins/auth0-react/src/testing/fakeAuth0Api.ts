import {
  AuthRequestOptions,
  BackstageIdentityResponse,
} from '@backstage/frontend-plugin-api';
import { Auth0AuthApi } from '../api/auth0AuthApiRef';

export const aliceIdentity: BackstageIdentityResponse = {
  token: 'alice-backstage-token',
  identity: {
    type: 'user',
    userEntityRef: 'user:default/alice',
    ownershipEntityRefs: ['user:default/alice', 'group:default/team-a'],
  },
};

export const aliceProfile = {
  email: 'alice@example.com',
  displayName: 'Alice Example',
  picture: 'https://example.com/alice.png',
};

/**
 * An Auth0 API double. `existingSession`: a silent (`optional`) request finds Alice's session,
 * as after a reload. `popup`: what the popup sign-in gives, a session or an error to throw.
 */
export function fakeAuth0Api(options: {
  existingSession?: boolean;
  popup?: 'signs-in' | Error;
}) {
  const requests: AuthRequestOptions[] = [];
  let signedIn = Boolean(options.existingSession);
  const api = {
    requests,
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
  } satisfies Auth0AuthApi & { requests: AuthRequestOptions[] };
  return api;
}

/** An error as Backstage's popup helper raises it from the backend's `{ name, message }`. */
export function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
