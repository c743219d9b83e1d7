import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { ADMINS_CONFIG_KEY, readPermissionPolicyConfig } from './config';
import { Auth0PermissionPolicy } from './policy';

/**
 * This backend's permission policy (`Auth0PermissionPolicy`), configured by
 * `backstageAuth0.permissions`. A bad entry in `admins` stops the backend at startup with a
 * message that names the key.
 */
export const permissionModuleAuth0Policy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'backstage-auth0-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        userInfo: coreServices.userInfo,
        policy: policyExtensionPoint,
      },
      async init({ config, logger, userInfo, policy }) {
        const { admins } = readPermissionPolicyConfig(config);
        if (admins.length === 0) {
          logger.warn(
            `${ADMINS_CONFIG_KEY} names nobody: no one may change catalog locations, and entities can be unregistered only by their owners`,
          );
        } else {
          logger.info(
            `Permission policy: admins are ${admins.join(
              ', ',
            )} (${ADMINS_CONFIG_KEY}); everyone else may read, run templates and unregister what they own`,
          );
        }
        policy.setPolicy(
          new Auth0PermissionPolicy({ admins, logger, userInfo }),
        );
      },
    });
  },
});
