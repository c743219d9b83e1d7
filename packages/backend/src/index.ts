import { createBackend } from '@backstage/backend-defaults';
import { featuresWithoutAuth0 } from './features';
import { checkProductionEnvironment } from './productionEnvironmentCheck';
import { startBackendOrExit } from './startBackend';

const problems = checkProductionEnvironment({
  args: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
});
if (problems.length > 0) {
  process.stderr.write(
    `Backstage will not start in production with these variables:\n${problems
      .map(problem => `  - ${problem}`)
      .join(
        '\n',
      )}\nIn Kubernetes they come from the Key Vault secret (docs/deployment.md); locally, from your shell or .env.\n`,
  );
  process.exit(1);
}

const backend = createBackend();
for (const feature of featuresWithoutAuth0) {
  backend.add(feature);
}
backend.add(import('@backstage-auth0/plugin-auth-backend-module-auth0'));
// Adds the resolver `auth0UserIdMatchingUserEntityAnnotation`; config decides whether it is used.
backend.add(
  import('@backstage-auth0/plugin-auth-backend-module-auth0-user-id-resolver'),
);
// When a plugin cannot start (e.g. the Auth0 module refusing its config), log why and exit 1.
startBackendOrExit(backend);
