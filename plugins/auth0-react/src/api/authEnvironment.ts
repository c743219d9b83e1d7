import { ConfigApi } from '@backstage/frontend-plugin-api';

/**
 * The auth environment both halves read from `auth.environment`. Backstage's auth backend
 * falls back to `development` when it is unset, and so does the frontend here.
 */
export function readAuthEnvironment(configApi: ConfigApi): string {
  return configApi.getOptionalString('auth.environment') ?? 'development';
}

/**
 * Guest sign-in is offered only when `auth.environment` says `development` explicitly: the
 * backend loads its guest provider on exactly that condition, so a production config never
 * shows a guest button that would only answer 404.
 */
export function offersGuestSignIn(configApi: ConfigApi): boolean {
  return configApi.getOptionalString('auth.environment') === 'development';
}
