export {
  startAuth0DevServer,
  productionRefusal,
  ProductionRefusalError,
  defaultStateDir,
  defaultUsersFile,
  type Auth0DevServer,
} from './server.ts';
export { defaultOptions, type Auth0DevServerOptions } from './options.ts';
export { createAdminClient, type AdminClient } from './adminClient.ts';
export type { Knobs, KnobsPatch, LatencyEndpoint } from './knobs.ts';
export type { CountersSnapshot, CountedEndpoint } from './counters.ts';
export type { RefreshTokenSummary } from './refreshTokens.ts';
