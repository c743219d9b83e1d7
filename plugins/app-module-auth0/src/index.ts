/**
 * Auth0 sign-in for Backstage apps on the new frontend system: a module of the app plugin
 * with the Auth0 auth API, the sign-in page and the outage notice.
 *
 * @packageDocumentation
 */

export { auth0AppModule as default } from './module';
