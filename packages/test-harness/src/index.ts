export {
  findFreePort,
  startBackendProcess,
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
  startCommandProcess,
  type CommandProcess,
  type CommandProcessOptions,
  type ProcessExit,
} from './commandProcess';
export {
  ANY_LOCAL_CALLBACK,
  auth0Environment,
  startBackendWithAuth0,
  type BackendWithAuth0,
} from './auth0Stack';
export { dropDatabasesWithPrefix, LOCAL_POSTGRES } from './postgres';
