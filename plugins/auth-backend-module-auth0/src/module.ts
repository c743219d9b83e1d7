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
import { InFlightRequests } from './inFlightRequests';
import { RefreshCoordinator } from './refreshCoordinator';

/** Longest wait at shutdown for sign-ins and refreshes in flight (Kubernetes grants 30 s). */
const SHUTDOWN_DRAIN_MS = 20_000;
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
        rootLifecycle: coreServices.rootLifecycle,
        catalog: catalogServiceRef,
      },
      async init({
        providers,
        config,
        logger,
        database,
        auditor,
        auth,
        rootLifecycle,
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

        const refreshCoordinator = await RefreshCoordinator.create({
          database: await database.getClient(),
          logger,
        });
        const inFlight = new InFlightRequests();
        // Before any plugin shuts down: a refresh still needs the catalog and the database.
        rootLifecycle.addBeforeShutdownHook(() =>
          inFlight.drain(SHUTDOWN_DRAIN_MS),
        );

        providers.registerProvider({
          providerId: 'auth0',
          factory: createAuth0ProviderFactory({
            rootConfig: config,
            resolverFactories: () => ({
              ...builtInFactories,
              ...addedFactories,
            }),
            refreshCoordinator,
            inFlight,
            audit: new Auth0Audit(auditor),
            logger,
          }),
        });
      },
    });
  },
});
