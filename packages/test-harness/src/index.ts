export {
  findFreePort,
  startBackendCommand,
  startBackendProcess,
  type BackendCommandOptions,
  type BackendProcess,
  type BackendProcessOptions,
} from './backendProcess';
export {
  frameMessage,
  jwtPayload,
  refreshCookie,
  refreshSession,
  REFRESH_COOKIE,
  REQUESTED_SCOPE,
  signInThroughPopup,
  signOut,
  startUrl,
  waitForCatalogUser,
  type BackendAddress,
  type FlowOptions,
  type SignInOptions,
  type FrameMessage,
} from './auth0SignIn';
export {
  ANY_LOCAL_CALLBACK,
  auth0Environment,
  registerAuth0SignInStack,
  type Auth0SignInStack,
  type Auth0SignInStackOptions,
} from './auth0Stack';
export { dropDatabasesWithPrefix, LOCAL_POSTGRES } from './postgres';
