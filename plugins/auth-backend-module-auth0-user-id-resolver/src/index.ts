/**
 * An example of adding a sign-in resolver to the Auth0 provider from another module.
 *
 * @packageDocumentation
 */
export { authModuleAuth0UserIdResolver as default } from './module';
export {
  AUTH0_USER_ID_ANNOTATION,
  auth0UserIdMatchingUserEntityAnnotation,
} from './resolver';
