/**
 * Auth0 sign-in for Backstage frontends, on the new and the legacy frontend system.
 *
 * @packageDocumentation
 */

export { auth0AuthApiRef, type Auth0AuthApi } from './api/auth0AuthApiRef';
export {
  Auth0Auth,
  AUTH0_SCOPES,
  type Auth0AuthOptions,
} from './api/Auth0Auth';
export {
  type Auth0Availability,
  type Auth0AvailabilityApi,
} from './api/auth0Availability';
export { auth0AuthApiFactory } from './api/auth0AuthApiFactory';
export { SignInPage, type Auth0SignInPageProps } from './signIn/SignInPage';
export { SignedInAccountCard } from './settings/SignedInAccountCard';
export { Auth0OutageNotice } from './outage/Auth0OutageNotice';
export { auth0AppModule } from './appModule';
