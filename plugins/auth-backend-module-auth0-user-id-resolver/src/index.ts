/**
 * An example of adding a sign-in resolver to the Auth0 provider from another module.
 *
 * @packageDocumentation
 */
export { authModuleAuth0UserIdResolver as default } from './module';
export { auth0UserIdMatchingUserEntityAnnotation } from './resolver';
// Kept for compatibility: the annotation's name now lives in the common package.
export { AUTH0_USER_ID_ANNOTATION } from '@backstage-auth0/plugin-auth0-common';
