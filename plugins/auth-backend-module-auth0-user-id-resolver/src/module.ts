import { createBackendModule } from '@backstage/backend-plugin-api';
import { auth0SignInResolversExtensionPoint } from '@backstage-auth0/plugin-auth-backend-module-auth0';
import { auth0UserIdMatchingUserEntityAnnotation } from './resolver';

/**
 * Adds the `auth0UserIdMatchingUserEntityAnnotation` resolver to the Auth0 provider.
 *
 * @public
 */
export const authModuleAuth0UserIdResolver = createBackendModule({
  pluginId: 'auth',
  moduleId: 'auth0-user-id-resolver',
  register(reg) {
    reg.registerInit({
      deps: { resolvers: auth0SignInResolversExtensionPoint },
      async init({ resolvers }) {
        resolvers.addSignInResolverFactories({
          auth0UserIdMatchingUserEntityAnnotation,
        });
      },
    });
  },
});
