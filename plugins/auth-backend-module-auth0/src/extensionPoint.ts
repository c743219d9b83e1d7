import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { SignInResolverFactory } from '@backstage/plugin-auth-node';

/**
 * Lets other backend modules add sign-in resolvers to the Auth0 provider, which config
 * can then name under `auth.providers.auth0.<environment>.signIn.resolvers`.
 *
 * @public
 */
export interface Auth0SignInResolversExtensionPoint {
  /**
   * Adds resolver factories by name. A name already taken (by this module's own
   * resolvers or another module's) stops the backend at startup.
   */
  addSignInResolverFactories(
    factories: Record<string, SignInResolverFactory<any, any>>,
  ): void;
}

/** @public */
export const auth0SignInResolversExtensionPoint =
  createExtensionPoint<Auth0SignInResolversExtensionPoint>({
    id: 'auth.auth0.sign-in-resolvers',
  });
