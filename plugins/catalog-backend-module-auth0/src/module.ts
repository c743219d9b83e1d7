import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { Auth0OrgEntityProvider } from './Auth0OrgEntityProvider';
import {
  auth0OrgEntityProviderTransformsExtensionPoint,
  collectTransformers,
} from './extensionPoint';

/**
 * Adds one `Auth0OrgEntityProvider` per block under `catalog.providers.auth0`, each on the
 * schedule of its block, with the transformers set through
 * `auth0OrgEntityProviderTransformsExtensionPoint`.
 *
 * @public
 */
export const catalogModuleAuth0OrgEntityProvider = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'auth0-org-entity-provider',
  register(reg) {
    const transforms = collectTransformers();
    reg.registerExtensionPoint(
      auth0OrgEntityProviderTransformsExtensionPoint,
      transforms.extensionPoint,
    );
    reg.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
      },
      async init({ catalog, config, logger, scheduler }) {
        // Modules that set transformers through the extension point have run by now.
        catalog.addEntityProvider(
          Auth0OrgEntityProvider.fromConfig(config, {
            logger,
            scheduler,
            ...transforms.transformers(),
          }),
        );
      },
    });
  },
});
