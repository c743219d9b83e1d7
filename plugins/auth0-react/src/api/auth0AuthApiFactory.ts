import {
  configApiRef,
  createApiFactory,
  discoveryApiRef,
  oauthRequestApiRef,
} from '@backstage/frontend-plugin-api';
import { Auth0Auth } from './Auth0Auth';
import { auth0AuthApiRef } from './auth0AuthApiRef';

/**
 * The Auth0 auth API, for `createApp({ apis })` of the legacy frontend system. The new
 * system installs the same factory through `@backstage-auth0/plugin-app-module-auth0`.
 *
 * @public
 */
export const auth0AuthApiFactory = createApiFactory({
  api: auth0AuthApiRef,
  deps: {
    configApi: configApiRef,
    discoveryApi: discoveryApiRef,
    oauthRequestApi: oauthRequestApiRef,
  },
  factory: ({ configApi, discoveryApi, oauthRequestApi }) =>
    Auth0Auth.create({ configApi, discoveryApi, oauthRequestApi }),
});
