/**
 * What the Auth0 sign-in backend module, the catalog module and the frontend packages agree on.
 *
 * @packageDocumentation
 */
export {
  AUTH0_PROVIDER_ID,
  AUTH0_REQUIRED_SCOPES,
  type Auth0RequiredScope,
} from './provider';
export {
  AUTH0_SIGN_IN_ERROR_NAMES,
  isAuth0SignInErrorName,
  type Auth0SignInErrorName,
} from './errorNames';
export {
  AUTH0_ORGANIZATION_ID_ANNOTATION,
  AUTH0_ROLE_ID_ANNOTATION,
  AUTH0_USER_ID_ANNOTATION,
} from './annotations';
export { normalizeAuth0EntityName } from './entityNames';
