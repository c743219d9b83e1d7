export {
  startAuth0DevServer,
  productionRefusal,
  ProductionRefusalError,
  defaultStateDir,
  defaultUsersFile,
  type Auth0DevServer,
} from './server.ts';
export { defaultOptions, type Auth0DevServerOptions } from './options.ts';
export {
  createAdminClient,
  type AdminClient,
  type Auth0Client,
  type ManagementFailureOptions,
} from './adminClient.ts';
export type { ApplicationPatch } from './application.ts';
export type {
  Knobs,
  KnobsPatch,
  LatencyEndpoint,
  ManagementFailure,
} from './knobs.ts';
export type {
  CountersSnapshot,
  CountedEndpoint,
  ManagementEndpoint,
} from './counters.ts';
export { defaultManagementScopes } from './managementTokens.ts';
export type { SyntheticUsersSpec } from './syntheticUsers.ts';
export type { RefreshTokenSummary } from './refreshTokens.ts';
export {
  defaultRolesClaim,
  type UserPatch,
  type UserRolesState,
} from './rolesClaim.ts';
