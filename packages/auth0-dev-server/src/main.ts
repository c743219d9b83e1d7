// The dev server as a command:
//   node packages/auth0-dev-server/src/main.ts [--port 7443] [--redirect-uris url,url] ...
// Prints one JSON line (`"auth0DevServer": "ready"`) on stdout once it listens, then a
// line for people; everything else it says goes to stderr.
import { parseOptions } from './options.ts';
import { readyLine } from './readyLine.ts';
import { startAuth0DevServer } from './server.ts';

async function main() {
  const options = parseOptions(process.env, process.argv.slice(2));
  const server = await startAuth0DevServer(options);
  process.stdout.write(
    `${JSON.stringify(
      readyLine({
        issuer: server.issuer,
        domain: server.domain,
        clientId: server.clientId,
        clientSecret: server.clientSecret,
        managementClientId: server.managementClientId,
        managementClientSecret: server.managementClientSecret,
        managementAudience: server.managementAudience,
        caFile: server.caFile,
        adminUrl: server.adminUrl,
        redirectUris: server.redirectUris,
        rolesClaim: server.rolesClaim,
      }),
    )}\n`,
  );
  process.stdout.write(
    `auth0-dev-server: local Auth0 dev server on ${server.issuer} (domain ${server.domain}, client ${server.clientId}); ` +
      `Management API at ${server.managementAudience} for machine-to-machine client ${server.managementClientId} ` +
      `(its secret is in the JSON line above and from the admin API); ` +
      `admin API on ${server.adminUrl}; trust ${server.caFile} (NODE_EXTRA_CA_CERTS)\n`,
  );

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // A parent that dies without signalling (a killed `yarn dev`) closes our stdin.
  if (process.env.AUTH0_DEV_SERVER_EXIT_WITH_STDIN === 'true') {
    process.stdin.on('end', stop);
    process.stdin.resume();
  }
}

main().catch((error: Error) => {
  console.error(
    error.message.startsWith('auth0-dev-server')
      ? error.message
      : `auth0-dev-server: ${error.stack}`,
  );
  process.exit(1);
});
