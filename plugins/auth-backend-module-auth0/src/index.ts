/**
 * Auth0 sign-in for Backstage: verified ID tokens, resolvers that refuse unverified
 * and foreign emails, and refresh-token rotation that survives concurrent refreshes.
 *
 * @packageDocumentation
 */
export { authModuleAuth0Provider as default } from './module';
export {
  createAuth0Authenticator,
  type Auth0AuthenticatorContext,
  type Auth0AuthenticatorOptions,
} from './authenticator';
export {
  createAuth0RefreshCoordinator,
  LEASE_MS,
  type Auth0RefreshCoordinator,
  type Auth0RefreshOptions,
} from './refreshCoordinator';
export {
  checkEmail,
  createAuth0SignInResolvers,
  type Auth0SignInInfo,
  type Auth0SignInResolverFactories,
  type Auth0SignInResolversOptions,
  type CheckedEmail,
  type EmailLocalPartResolverOptions,
  type EmailResolverOptions,
} from './resolvers';
export {
  auth0SignInResolversExtensionPoint,
  type Auth0SignInResolversExtensionPoint,
} from './extensionPoint';
export {
  Auth0ConfigError,
  isProduction,
  sessionSecretProblems,
  type Auth0ProviderSettings,
} from './config';
export {
  readSignInResolverChain,
  type ResolvedSignIn,
  type SignInResolverChain,
} from './signInResolverChain';
export { readGroupClaims, type Auth0GroupClaim } from './groupClaims';
export type { Auth0IdTokenClaims, Auth0TokenResponse } from './auth0Tokens';
export {
  AmbiguousCatalogUserError,
  Auth0RefusedError,
  Auth0UnavailableError,
  CatalogUserEmailMismatchError,
  CatalogUserNotFoundError,
  EmailDomainNotAllowedError,
  EmailNotVerifiedError,
  InvalidIdTokenError,
  InvalidSessionCookieError,
  MissingEmailError,
  OrganizationMismatchError,
} from './errors';
