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
    id: 'auth.auth0SignInResolvers',
  });

/**
 * The extension point's implementation, and the resolvers it collected joined with the
 * built-in ones once every module that adds some has run.
 */
export function collectSignInResolverFactories() {
  const added: Record<string, SignInResolverFactory<any, any>> = {};
  const extensionPoint: Auth0SignInResolversExtensionPoint = {
    addSignInResolverFactories(factories) {
      for (const [name, factory] of Object.entries(factories)) {
        if (Object.hasOwn(added, name)) {
          throw new Error(
            `Auth0 sign-in resolver "${name}" was added twice; give one of them another name`,
          );
        }
        added[name] = factory;
      }
    },
  };
  return {
    extensionPoint,
    withBuiltIn(
      builtIn: Record<string, SignInResolverFactory<any, any>>,
    ): Record<string, SignInResolverFactory<any, any>> {
      for (const name of Object.keys(added)) {
        if (Object.hasOwn(builtIn, name)) {
          throw new Error(
            `Auth0 sign-in resolver "${name}" is built in; the module adding it must use another name`,
          );
        }
      }
      return { ...builtIn, ...added };
    },
  };
}
