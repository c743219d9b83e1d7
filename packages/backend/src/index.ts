import { createBackend } from '@backstage/backend-defaults';
import { featuresWithoutAuth0 } from './features';
import { exitOnProductionEnvironmentProblems } from './productionEnvironmentCheck';
import { startBackendOrExit } from './startBackend';

const backend = createBackend();
for (const feature of featuresWithoutAuth0) {
  backend.add(feature);
}
backend.add(import('@backstage-auth0/plugin-auth-backend-module-auth0'));
// Adds the resolver `auth0UserIdMatchingUserEntityAnnotation`; config decides whether it is used.
backend.add(
  import('@backstage-auth0/plugin-auth-backend-module-auth0-user-id-resolver'),
);
// Production first refuses to start while a variable that the config reads is missing, empty
// or a placeholder. When a plugin cannot start (e.g. the Auth0 module refusing its config), log
// why and exit 1.
exitOnProductionEnvironmentProblems().then(() => startBackendOrExit(backend));
