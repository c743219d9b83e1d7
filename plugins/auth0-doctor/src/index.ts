/**
 * The Auth0 doctor: checks an Auth0 tenant against the config the Backstage backend reads.
 *
 * @packageDocumentation
 */
import { runCommand } from './cli';

runCommand(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: text => process.stdout.write(text),
  stderr: text => process.stderr.write(text),
}).then(
  code => {
    // Open keep-alive connections to the tenant must not hold the exit back.
    process.stdout.write('', () => process.exit(code));
  },
  (error: Error) => {
    process.stderr.write(`backstage-auth0-doctor: ${error.stack ?? error}\n`);
    process.exit(2);
  },
);
