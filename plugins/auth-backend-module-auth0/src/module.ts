import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  authProvidersExtensionPoint,
  SignInResolverFactory,
} from '@backstage/plugin-auth-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { Auth0Audit } from './audit';
import { auth0SignInResolversExtensionPoint } from './extensionPoint';
import { createAuth0ProviderFactory } from './providerFactory';
import { RefreshCoordinator } from './refreshCoordinator';
import { createEmailSignInResolvers } from './resolvers';

/**
 * The `auth0` sign-in provider. Replaces `@backstage/plugin-auth-backend-module-auth0-provider`
 * and reads the same configuration.
 *
 * @public
 */
export const authModuleAuth0Provider = createBackendModule({
  pluginId: 'auth',
  moduleId: 'auth0-provider',
  register(reg) {
    const addedFactories: Record<string, SignInResolverFactory<any, any>> = {};
    reg.registerExtensionPoint(auth0SignInResolversExtensionPoint, {
      addSignInResolverFactories(factories) {
        for (const [name, factory] of Object.entries(factories)) {
          if (Object.hasOwn(addedFactories, name)) {
            throw new Error(
              `Auth0 sign-in resolver "${name}" was added twice; give one of them another name`,
            );
          }
          addedFactories[name] = factory;
        }
      },
    });

    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        auditor: coreServices.auditor,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
      },
      async init({
        providers,
        config,
        logger,
        database,
        auditor,
        auth,
        catalog,
      }) {
        const builtInFactories = createEmailSignInResolvers({
          logger,
          catalogUsers: {
            async findUsersByEmail(email) {
              const { items } = await catalog.getEntities(
                { filter: { kind: 'User', 'spec.profile.email': email } },
                { credentials: await auth.getOwnServiceCredentials() },
              );
              return items;
            },
          },
        });
        for (const name of Object.keys(addedFactories)) {
          if (Object.hasOwn(builtInFactories, name)) {
            throw new Error(
              `Auth0 sign-in resolver "${name}" is built in; the module adding it must use another name`,
            );
          }
        }

        providers.registerProvider({
          providerId: 'auth0',
          factory: createAuth0ProviderFactory({
            rootConfig: config,
            resolverFactories: () => ({
              ...builtInFactories,
              ...addedFactories,
            }),
            refreshCoordinator: await RefreshCoordinator.create({
              database: await database.getClient(),
            }),
            audit: new Auth0Audit(auditor),
            logger,
          }),
        });
      },
    });
  },
});
