/**
 * The id under which the backend module registers the provider: its routes live under
 * `/api/auth/auth0/` and the frontend's auth API asks for it.
 *
 * @public
 */
export const AUTH0_PROVIDER_ID = 'auth0';

/**
 * Scopes every session needs, whatever else is asked for: an ID token with the email, and
 * (`offline_access`) a refresh token, without which every reload signs the person out.
 *
 * @public
 */
export const AUTH0_REQUIRED_SCOPES = [
  'openid',
  'profile',
  'email',
  'offline_access',
] as const;

/**
 * One of {@link AUTH0_REQUIRED_SCOPES}.
 *
 * @public
 */
export type Auth0RequiredScope = (typeof AUTH0_REQUIRED_SCOPES)[number];
