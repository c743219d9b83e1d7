import {
  BackstageIdentityApi,
  createApiRef,
  OpenIdConnectApi,
  ProfileInfoApi,
  SessionApi,
} from '@backstage/frontend-plugin-api';
import { Auth0AvailabilityApi } from './auth0Availability';

/**
 * Auth0 sign-in and the session it keeps: ID token, profile, Backstage identity, sign-out,
 * and whether the session can be renewed right now (see {@link Auth0Availability}).
 *
 * @public
 */
export type Auth0AuthApi = OpenIdConnectApi &
  ProfileInfoApi &
  BackstageIdentityApi &
  SessionApi &
  Auth0AvailabilityApi;

/**
 * The Auth0 auth API. Its id is stable: apps and tests may override it by this id.
 *
 * @public
 */
export const auth0AuthApiRef = createApiRef<Auth0AuthApi>().with({
  id: 'backstage-auth0.auth.auth0',
  // The app installs it (@backstage-auth0/plugin-app-module-auth0), so the app owns it.
  pluginId: 'app',
});
