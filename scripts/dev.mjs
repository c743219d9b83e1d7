// `yarn dev`: the backend on :7007 and the app on :3000, with the variables from
// ./.env (variables already set in the shell win over the file).
//
// Without AUTH_AUTH0_DOMAIN, AUTH_AUTH0_CLIENT_ID and AUTH_AUTH0_CLIENT_SECRET, Auth0
// sign-in goes to the local Auth0 dev server (packages/auth0-dev-server), started here on
// https://localhost:7443 and stopped with the rest.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const envFile = `${repoRoot}.env`;
const auth0Variables = [
  'AUTH_AUTH0_DOMAIN',
  'AUTH_AUTH0_CLIENT_ID',
  'AUTH_AUTH0_CLIENT_SECRET',
];
const managementVariables = [
  'AUTH0_MANAGEMENT_CLIENT_ID',
  'AUTH0_MANAGEMENT_CLIENT_SECRET',
];

if (existsSync(envFile)) {
  process.loadEnvFile(envFile);
  console.log('dev: loaded variables from .env');
} else {
  console.log('dev: no .env file; running on the defaults in app-config.yaml');
}

// .env.example has the Auth0 lines with empty values: empty counts as unset.
const setAuth0Variables = auth0Variables.filter(name => process.env[name]);
let standIn;
if (setAuth0Variables.length === 0) {
  standIn = await startLocalAuth0();
} else if (setAuth0Variables.length < auth0Variables.length) {
  const missing = auth0Variables.filter(name => !process.env[name]);
  console.error(
    `dev: ${setAuth0Variables.join(', ')} set but ${missing.join(', ')} not. ` +
      'Set all three for your Auth0 tenant, or none of them to sign in against the local Auth0 dev server.',
  );
  process.exit(1);
} else {
  console.log(
    `dev: Auth0 sign-in uses the real tenant ${process.env.AUTH_AUTH0_DOMAIN} (AUTH_AUTH0_* are set); the local dev server is not started.`,
  );
}

if (!process.env.AUTH_SESSION_SECRET) {
  process.env.AUTH_SESSION_SECRET = randomBytes(32).toString('base64url');
  console.log(
    'dev: AUTH_SESSION_SECRET is not set; using a random one for this run',
  );
}

// OpenTelemetry, loaded before the backend as in the image (packages/backend/README.md).
const instrumentation = join(
  repoRoot,
  'packages/backend/src/instrumentation.js',
);
console.log(
  `dev: metrics for Prometheus on http://${
    process.env.OTEL_EXPORTER_PROMETHEUS_HOST || 'localhost'
  }:${
    process.env.OTEL_EXPORTER_PROMETHEUS_PORT || 9464
  }/metrics (OTEL_EXPORTER_PROMETHEUS_PORT changes the port)`,
);

const stack = spawn(
  'yarn',
  [
    'backstage-cli',
    'repo',
    'start',
    // One argument: the CLI passes its own arguments on to the backend, except this form.
    `--require=${instrumentation}`,
    ...configArgs(),
  ],
  {
    cwd: repoRoot,
    stdio: 'inherit',
    env: process.env,
  },
);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => stack.kill(signal));
}
stack.on('exit', async (code, signal) => {
  await standIn?.stop();
  process.exit(code ?? (signal ? 1 : 0));
});

async function startLocalAuth0() {
  const { startAuth0DevServerProcess } = await import(
    '../packages/auth0-dev-server/src/process.ts'
  );
  const port = Number(process.env.AUTH0_DEV_SERVER_PORT || 7443);
  let server;
  try {
    server = await startAuth0DevServerProcess({
      port,
      mainFile: join(repoRoot, 'packages/auth0-dev-server/src/main.ts'),
      onOutput: line =>
        console.log(
          line.startsWith('auth0-dev-server')
            ? line
            : `[auth0-dev-server] ${line}`,
        ),
    });
  } catch (error) {
    console.error(
      `dev: the local Auth0 dev server did not start, so neither does the rest.\n${error.message}`,
    );
    process.exit(1);
  }
  process.env.AUTH_AUTH0_DOMAIN = server.domain;
  process.env.AUTH_AUTH0_CLIENT_ID = server.clientId;
  process.env.AUTH_AUTH0_CLIENT_SECRET = server.clientSecret;
  process.env.AUTH0_MANAGEMENT_CLIENT_ID = server.managementClientId;
  process.env.AUTH0_MANAGEMENT_CLIENT_SECRET = server.managementClientSecret;
  process.env.NODE_EXTRA_CA_CERTS = extraCaCertificates(server.caFile);
  console.log(
    [
      `dev: no AUTH_AUTH0_* variables set, so Auth0 sign-in uses the LOCAL AUTH0 DEV SERVER at ${server.issuer}`,
      '     (not Auth0). Sign in as chris@example.com with the password "password".',
      `     Your browser must trust its certificate once: open ${server.issuer} and accept it, or import ${server.caFile}`,
      '     (see packages/auth0-dev-server/README.md). Knobs and counters: ' +
        server.adminUrl,
      '     To use a real Auth0 tenant instead, set AUTH_AUTH0_DOMAIN, AUTH_AUTH0_CLIENT_ID and',
      '     AUTH_AUTH0_CLIENT_SECRET in .env (see .env.example).',
    ].join('\n'),
  );
  return server;
}

/**
 * Backstage's own files (app-config.yaml, then app-config.local.yaml if there is one), then
 * app-config.auth0-catalog.yaml when there are Management API credentials: the catalog's
 * people then come from Auth0. Without them, from examples/org.yaml.
 */
function configArgs() {
  const withAuth0Catalog = managementVariables.every(name => process.env[name]);
  if (!withAuth0Catalog) {
    console.log(
      `dev: the catalog's people come from examples/org.yaml; set ${managementVariables.join(
        ' and ',
      )} (a Machine to Machine application, docs/catalog-from-auth0.md) to read them from your Auth0 tenant`,
    );
    return [];
  }
  console.log(
    `dev: the catalog's people come from Auth0 at ${process.env.AUTH_AUTH0_DOMAIN} (app-config.auth0-catalog.yaml), read at startup and every 5 minutes`,
  );
  const files = ['app-config.yaml', 'app-config.local.yaml'].filter(file =>
    existsSync(join(repoRoot, file)),
  );
  return [...files, 'app-config.auth0-catalog.yaml'].flatMap(file => [
    '--config',
    join(repoRoot, file),
  ]);
}

/**
 * NODE_EXTRA_CA_CERTS names one file: when it already names one, the backend gets a
 * bundle of that file and the dev server's CA.
 */
function extraCaCertificates(caFile) {
  const existing = process.env.NODE_EXTRA_CA_CERTS;
  if (!existing || existing === caFile) return caFile;
  const bundle = join(dirname(caFile), 'node-extra-ca-certs.pem');
  writeFileSync(
    bundle,
    `${readFileSync(existing, 'utf8').trim()}\n${readFileSync(caFile, 'utf8')}`,
  );
  return bundle;
}
