/**
 * Why a sign-in or refresh was refused, as the error `name` the backend sends: in the
 * sign-in popup's message and in the refresh route's error body. The frontend picks what
 * it tells the person by this name.
 *
 * @public
 */
export const AUTH0_SIGN_IN_ERROR_NAMES = [
  'CatalogUserNotFoundError',
  'EmailNotVerifiedError',
  'EmailDomainNotAllowedError',
  'AmbiguousCatalogUserError',
  'CatalogUserEmailMismatchError',
  'MissingEmailError',
  'OrganizationMismatchError',
  'Auth0RefusedError',
  'Auth0UnavailableError',
  'InvalidIdTokenError',
  'InvalidSessionCookieError',
] as const;

/**
 * The name of a refusal the backend module sends.
 *
 * @public
 */
export type Auth0SignInErrorName = (typeof AUTH0_SIGN_IN_ERROR_NAMES)[number];

/**
 * True for a name the backend module sends, which the frontend has advice for.
 *
 * @public
 */
export function isAuth0SignInErrorName(
  name: unknown,
): name is Auth0SignInErrorName {
  return (AUTH0_SIGN_IN_ERROR_NAMES as readonly unknown[]).includes(name);
}
