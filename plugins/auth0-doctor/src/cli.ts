import { parseArgs } from 'node:util';
import { Config } from '@backstage/config';
import { CHECKS, fail } from './checks';
import { loadDoctorConfig, readEnvironment } from './loadConfig';
import { exitCodeOf, formatJson, formatText } from './report';
import { runDoctor } from './runDoctor';

/** What the command reads and writes, so that tests can run it in process. */
export type CommandIo = {
  cwd: string;
  env: Record<string, string | undefined>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  fetch?: typeof fetch;
};

export const USAGE = `Usage: backstage-auth0-doctor [options]

Checks an Auth0 tenant against the config the backend reads, one line per check
(✔ passed, ✖ failed, ! warning or skipped), each with what to fix. The exit code is 1
when a check failed, 2 when the command could not run.

Options:
  --config <path>            a config file, as the backend takes it; repeat for several (default: app-config.yaml and app-config.local.yaml here)
  --env-file <path>          variables to read the config with, under those already set (default: .env here, if there is one)
  --backend-url <url>        where the running backend is, if not at backend.baseUrl (catalog coverage reads its catalog)
  --catalog-provider <id>    the block of catalog.providers.auth0 whose Management API credentials to use
  --json                     print the results as a JSON array, for CI
  -h, --help                 print this help
`;

/** Runs the doctor as the command does; resolves to the exit code. */
export async function runCommand(
  argv: string[],
  io: CommandIo,
): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', multiple: true },
        'env-file': { type: 'string' },
        'backend-url': { type: 'string' },
        'catalog-provider': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    io.stderr(
      `backstage-auth0-doctor: ${(error as Error).message}\n\n${USAGE}`,
    );
    return 2;
  }
  if (args.help) {
    io.stdout(USAGE);
    return 0;
  }

  const progress = (message: string) =>
    io.stderr(`backstage-auth0-doctor: ${message}\n`);
  const config = await readConfig(args, io, progress);
  const results =
    config instanceof Error
      ? [
          fail(
            CHECKS.config,
            `cannot read the config: ${config.message}`,
            'pass the files the backend runs with, each with --config, and the variables they read',
          ),
        ]
      : await runDoctor({
          config,
          fetch: io.fetch,
          backendUrl: args['backend-url'],
          catalogProvider: args['catalog-provider'],
          progress,
        });
  io.stdout(args.json ? formatJson(results) : formatText(results));
  return exitCodeOf(results);
}

/** The config, read with the variables of the environment and `.env`; or why it cannot be. */
async function readConfig(
  args: { config?: string[]; 'env-file'?: string },
  io: CommandIo,
  progress: (message: string) => void,
): Promise<Config | Error> {
  try {
    const environment = readEnvironment({
      cwd: io.cwd,
      env: io.env,
      envFile: args['env-file'],
    });
    if (environment.envFile) {
      progress(`read variables from ${environment.envFile}`);
    }
    return await loadDoctorConfig({
      configPaths: args.config ?? [],
      cwd: io.cwd,
      env: environment.env,
    });
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}
