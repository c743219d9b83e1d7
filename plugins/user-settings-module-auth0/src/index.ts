/**
 * The Account tab of Backstage's settings page, for apps that sign in through Auth0: a module
 * of the user-settings plugin.
 *
 * @packageDocumentation
 */

export { auth0UserSettingsModule as default } from './module';
