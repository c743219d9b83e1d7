export { permissionModuleAuth0Policy as default } from './module';
export {
  ADMINS_CONFIG_KEY,
  PermissionPolicyConfigError,
  readPermissionPolicyConfig,
} from './config';
export { Auth0PermissionPolicy } from './policy';
