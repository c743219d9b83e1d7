import { basename } from 'node:path';
import {
  configFilesOfCommand,
  readConfigVariables,
  type ConfigVariable,
} from '@internal/config-variables';

const PLACEHOLDER =
  /^(<.*>|change[-_ ]?me.*|replace[-_ ]?me.*|placeholder|todo|tbd|fixme|x{3,}|\.\.\.|your[-_].*|null|undefined)$/i;

/** What is wrong with the variables' values; one line per variable. */
export function environmentProblems(
  variables: ConfigVariable[],
  env: NodeJS.ProcessEnv,
): string[] {
  return variables.flatMap(({ name, keyPath, file, hasDefault }) => {
    const value = env[name]?.trim();
    const where = `${keyPath} in ${basename(file)}`;
    if (!value && hasDefault) {
      // `${NAME:-fallback}`: Backstage uses the fallback for an unset or empty NAME.
      return [];
    }
    if (value === undefined) {
      return [
        `${name} is not set (read by ${where}): set it in the environment`,
      ];
    }
    if (value === '') {
      return [`${name} is empty (read by ${where}): give it a value`];
    }
    if (PLACEHOLDER.test(value)) {
      return [
        `${name} is still the placeholder "${value}" (read by ${where}): replace it with the real value`,
      ];
    }
    return [];
  });
}

/**
 * In production, what keeps the backend from starting: a variable that the config files of
 * the command line read, as Backstage reads them, is missing, empty or still a placeholder.
 * Backstage would otherwise drop the key silently and, for example, connect to a default
 * database or start without Auth0.
 */
export async function checkProductionEnvironment(options: {
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
}): Promise<string[]> {
  if (options.env.NODE_ENV !== 'production') {
    return [];
  }
  const variables = await readConfigVariables(
    configFilesOfCommand(options.args),
    { cwd: options.cwd },
  );
  return environmentProblems(variables, options.env);
}

/** Runs the check for this process; lists every problem and exits with code 1 if there is one. */
export async function exitOnProductionEnvironmentProblems(): Promise<void> {
  let problems: string[];
  try {
    problems = await checkProductionEnvironment({
      args: process.argv.slice(2),
      env: process.env,
      cwd: process.cwd(),
    });
  } catch (error) {
    process.stderr.write(
      `Backstage will not start in production: the startup check cannot read the config files: ${
        (error as Error).message
      }\n`,
    );
    process.exit(1);
  }
  if (problems.length === 0) return;
  process.stderr.write(
    `Backstage will not start in production with these variables:\n${problems
      .map(problem => `  - ${problem}`)
      .join(
        '\n',
      )}\nIn Kubernetes they come from the Key Vault secret (docs/deployment.md); locally, from your shell or .env.\n`,
  );
  process.exit(1);
}
