/**
 * Test doubles for apps and modules built on this package: a fake Auth0 auth API, and the
 * auth backend's answers for tests that run the real one.
 *
 * @packageDocumentation
 */
export {
  aliceIdentity,
  aliceProfile,
  auth0Unreachable,
  fakeAuth0Api,
  namedError,
} from './fakeAuth0Api';
export {
  AUTH0_DOWN_MESSAGE,
  auth0DownAnswer,
  authBackend,
  refusedAnswer,
  type AuthBackend,
  sessionAnswer,
} from './authBackend';
export type { Auth0Availability } from '../api/auth0Availability';
