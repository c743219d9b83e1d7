/**
 * Auth0 sign-in for Backstage: verified ID tokens, resolvers that refuse unverified
 * and foreign emails, and refresh-token rotation that survives concurrent refreshes.
 *
 * @packageDocumentation
 */
export { authModuleAuth0Provider as default } from './module';
export {
  auth0SignInResolversExtensionPoint,
  type Auth0SignInResolversExtensionPoint,
} from './extensionPoint';
export {
  checkEmail,
  type Auth0SignInInfo,
  type EmailResolverOptions,
} from './resolvers';
export type { Auth0IdTokenClaims } from './auth0Tokens';
export * from './errors';
