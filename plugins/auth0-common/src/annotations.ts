/**
 * The annotation on a User entity that holds its Auth0 `user_id`, e.g. `auth0|64f0c2…`: the
 * catalog module writes it, the user-id sign-in resolver reads it.
 *
 * @public
 */
export const AUTH0_USER_ID_ANNOTATION = 'auth0.com/user-id';

/**
 * The annotation on a Group entity made from an Auth0 role: the role id (`rol_…`).
 *
 * @public
 */
export const AUTH0_ROLE_ID_ANNOTATION = 'auth0.com/role-id';

/**
 * The annotation on a Group entity made from an Auth0 organization: its id (`org_…`).
 *
 * @public
 */
export const AUTH0_ORGANIZATION_ID_ANNOTATION = 'auth0.com/organization-id';
