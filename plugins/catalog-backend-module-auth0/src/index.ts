/**
 * Auth0 users, roles and organizations as catalog Users and Groups, read through the Management
 * API with a user export job.
 *
 * @packageDocumentation
 */
export { catalogModuleAuth0OrgEntityProvider as default } from './module';
export {
  Auth0OrgEntityProvider,
  type Auth0OrgEntityProviderOptions,
} from './Auth0OrgEntityProvider';
export {
  auth0OrgEntityProviderTransformsExtensionPoint,
  type Auth0OrgEntityProviderTransformsExtensionPoint,
} from './extensionPoint';
export {
  defaultAuth0GroupTransformer,
  defaultAuth0UserTransformer,
  type Auth0Group,
  type Auth0GroupTransformer,
  type Auth0Organization,
  type Auth0Role,
  type Auth0TransformerContext,
  type Auth0User,
  type Auth0UserTransformer,
} from './transformers';
export { normalizeAuth0EntityName } from '@backstage-auth0/plugin-auth0-common';
export {
  Auth0OrgConfigError,
  readAuth0OrgProviderConfigs,
  type Auth0OrgProviderConfig,
} from './config';
export {
  createManagementApi,
  TokenRequestError,
  type ManagementApi,
} from './managementApi';
export {
  exportUsers,
  type ExportedUser,
  type UserExportOptions,
} from './userExport';
