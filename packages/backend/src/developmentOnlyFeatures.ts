import {
  coreServices,
  createBackendFeatureLoader,
} from '@backstage/backend-plugin-api';

/**
 * Features that exist only while `auth.environment` is `development`: the same key the
 * frontend reads to decide whether to offer guest sign-in, so both halves always agree.
 */
export const developmentOnlyFeatures = createBackendFeatureLoader({
  deps: { config: coreServices.rootConfig },
  *loader({ config }) {
    if (config.getOptionalString('auth.environment') === 'development') {
      yield import('@backstage/plugin-auth-backend-module-guest-provider');
    }
  },
});
