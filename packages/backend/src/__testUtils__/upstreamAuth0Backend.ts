// A backend entry point for tests and benchmarks: this repo's backend with upstream's
// Auth0 module (@backstage/plugin-auth-backend-module-auth0-provider) in place of ours.
import { createBackend } from '@backstage/backend-defaults';
import { featuresWithoutAuth0 } from '../features';
import { startBackendOrExit } from '../startBackend';

const backend = createBackend();
for (const feature of featuresWithoutAuth0) {
  backend.add(feature);
}
backend.add(import('@backstage/plugin-auth-backend-module-auth0-provider'));
startBackendOrExit(backend);
