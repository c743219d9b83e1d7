import { developmentOnlyFeatures } from './developmentOnlyFeatures';
import { rootHttpRouter } from './rootHttpRouter';

/**
 * Every backend feature except the Auth0 provider module, so that a test backend can
 * run the same set with another Auth0 module (upstream's, for comparison).
 */
export const featuresWithoutAuth0 = [
  // Backstage's root HTTP router, whose request log leaves out query strings under /api/auth.
  rootHttpRouter,
  import('@backstage/plugin-app-backend'),
  import('@backstage/plugin-auth-backend'),
  developmentOnlyFeatures,
  import('@backstage/plugin-catalog-backend'),
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
  import('@backstage/plugin-catalog-backend-module-logs'),
  // Users, roles and organizations from Auth0 when `catalog.providers.auth0` is configured
  // (app-config.auth0-catalog.yaml); without that key it adds nothing.
  import('@backstage-auth0/plugin-catalog-backend-module-auth0'),
  import('@backstage/plugin-scaffolder-backend'),
  import('@backstage/plugin-permission-backend'),
  // Admins may do everything, everyone else reads, runs templates and unregisters only what
  // they own (backstageAuth0.permissions; docs/roles.md).
  import('./permissionPolicy'),
  import('@backstage/plugin-search-backend'),
  import('@backstage/plugin-search-backend-module-pg'),
  import('@backstage/plugin-search-backend-module-catalog'),
  import('@backstage/plugin-user-settings-backend'),
  // The frontend's settings storage listens for changes through signals.
  import('@backstage/plugin-signals-backend'),
];
