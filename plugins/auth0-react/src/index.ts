/**
 * Auth0 sign-in for Backstage frontends, on the new and the legacy frontend system: the auth
 * API, the sign-in page, the outage notice and the account card. The new system installs
 * them through `@backstage-auth0/plugin-app-module-auth0` and
 * `@backstage-auth0/plugin-user-settings-module-auth0`.
 *
 * @packageDocumentation
 */

export { auth0AuthApiRef, type Auth0AuthApi } from './api/auth0AuthApiRef';
export { Auth0Auth, type Auth0AuthOptions } from './api/Auth0Auth';
export {
  type Auth0Availability,
  type Auth0AvailabilityApi,
} from './api/auth0Availability';
export { auth0AuthApiFactory } from './api/auth0AuthApiFactory';
export {
  Auth0SignInPage,
  type Auth0SignInPageProps,
} from './signIn/Auth0SignInPage';
export { SignedInAccountCard } from './settings/SignedInAccountCard';
export { Auth0OutageNotice } from './outage/Auth0OutageNotice';
