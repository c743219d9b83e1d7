import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { Auth0GroupTransformer, Auth0UserTransformer } from './transformers';

/**
 * Lets another backend module change how Auth0 users, roles and organizations become entities:
 * rename, leave out (return undefined) or enrich them, without forking this module.
 *
 * @public
 */
export interface Auth0OrgEntityProviderTransformsExtensionPoint {
  /**
   * Sets the function that makes a User entity of an Auth0 user, for every provider or (as a
   * record) per provider id. It may be set once.
   */
  setUserTransformer(
    transformer: Auth0UserTransformer | Record<string, Auth0UserTransformer>,
  ): void;
  /**
   * Sets the function that makes a Group entity of an Auth0 role or organization, for every
   * provider or (as a record) per provider id. It may be set once.
   */
  setGroupTransformer(
    transformer: Auth0GroupTransformer | Record<string, Auth0GroupTransformer>,
  ): void;
}

/**
 * The extension point of the Auth0 catalog module (id `catalog.auth0OrgEntityProvider.transforms`).
 *
 * @public
 */
export const auth0OrgEntityProviderTransformsExtensionPoint =
  createExtensionPoint<Auth0OrgEntityProviderTransformsExtensionPoint>({
    id: 'catalog.auth0OrgEntityProvider.transforms',
  });

/** The extension point's implementation, and what it was given once every module has run. */
export function collectTransformers() {
  let userTransformer:
    | Auth0UserTransformer
    | Record<string, Auth0UserTransformer>
    | undefined;
  let groupTransformer:
    | Auth0GroupTransformer
    | Record<string, Auth0GroupTransformer>
    | undefined;
  const extensionPoint: Auth0OrgEntityProviderTransformsExtensionPoint = {
    setUserTransformer(transformer) {
      if (userTransformer) {
        throw new Error(
          'The Auth0 user transformer was set twice; one module may set it',
        );
      }
      userTransformer = transformer;
    },
    setGroupTransformer(transformer) {
      if (groupTransformer) {
        throw new Error(
          'The Auth0 group transformer was set twice; one module may set it',
        );
      }
      groupTransformer = transformer;
    },
  };
  return {
    extensionPoint,
    transformers: () => ({ userTransformer, groupTransformer }),
  };
}
