import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { authProvidersExtensionPoint } from '@backstage/plugin-auth-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { AUTH0_PROVIDER_ID } from '@backstage-auth0/plugin-auth0-common';
import { Auth0Audit } from './audit';
import {
  auth0SignInResolversExtensionPoint,
  collectSignInResolverFactories,
} from './extensionPoint';
import { InFlightRequests } from './inFlightRequests';
import { Auth0Metrics } from './metrics';
import { createAuth0ProviderFactory } from './providerFactory';
import { RefreshCoordinator } from './refreshCoordinator';
import { createAuth0SignInResolvers } from './resolvers';

/** Longest wait at shutdown for sign-ins and refreshes in flight (Kubernetes grants 30 s). */
const SHUTDOWN_DRAIN_MS = 20_000;

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
    const resolverFactories = collectSignInResolverFactories();
    reg.registerExtensionPoint(
      auth0SignInResolversExtensionPoint,
      resolverFactories.extensionPoint,
    );

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
        cache: coreServices.cache,
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
        cache,
      }) {
        // Modules that add resolvers through the extension point have run by now.
        const factories = resolverFactories.withBuiltIn(
          createAuth0SignInResolvers({ catalog, auth, logger }),
        );
        const refreshCoordinator = await RefreshCoordinator.create({
          database: await database.getClient(),
          logger,
        });
        const inFlight = new InFlightRequests();
        // Before any plugin shuts down: a refresh still needs the catalog and the database,
        // and requests on other replicas wait for the results stored after the responses.
        rootLifecycle.addBeforeShutdownHook(async () => {
          await inFlight.drain(SHUTDOWN_DRAIN_MS);
          await refreshCoordinator.settled();
        });

        providers.registerProvider({
          providerId: AUTH0_PROVIDER_ID,
          factory: createAuth0ProviderFactory({
            rootConfig: config,
            resolverFactories: factories,
            refreshCoordinator,
            inFlight,
            audit: new Auth0Audit(auditor),
            metrics: new Auth0Metrics(),
            logger,
            catalog,
            auth,
            cache,
          }),
        });
      },
    });
  },
});
