import { existsSync, readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { parseEnv } from 'node:util';
import { Config } from '@backstage/config';
import { ConfigSources } from '@backstage/config-loader';

/** The variables the config is read with, and where they came from. */
export type DoctorEnvironment = {
  env: Record<string, string | undefined>;
  /** The `.env` file that was read, if one was. */
  envFile?: string;
};

/**
 * The process's environment over the variables of a `.env` file, as `yarn dev` reads it:
 * variables set in the shell win over the file. The file is `envFile` (which must exist),
 * else `.env` in `cwd` when there is one.
 */
export function readEnvironment(options: {
  cwd: string;
  env: Record<string, string | undefined>;
  envFile?: string;
}): DoctorEnvironment {
  const file = resolvePath(options.cwd, options.envFile ?? '.env');
  if (!options.envFile && !existsSync(file)) {
    return { env: options.env };
  }
  let fromFile: Record<string, string | undefined>;
  try {
    fromFile = parseEnv(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(
      `cannot read the variables of ${file}: ${(error as Error).message}`,
    );
  }
  return { env: { ...fromFile, ...options.env }, envFile: file };
}

/**
 * The config the backend reads: the `--config` files (relative to `cwd`), or
 * `app-config.yaml` and `app-config.local.yaml` in `cwd` without any, each `${VARIABLE}`
 * substituted from `env`, and `APP_CONFIG_*` variables on top; the way `backstage-cli` and
 * `@backstage/backend-defaults` read it, through `@backstage/config-loader`.
 */
export async function loadDoctorConfig(options: {
  configPaths: string[];
  cwd: string;
  env: Record<string, string | undefined>;
}): Promise<Config> {
  const { env, cwd } = options;
  const source = ConfigSources.default({
    argv: options.configPaths.flatMap(path => [
      '--config',
      resolvePath(cwd, path),
    ]),
    rootDir: cwd,
    env,
    substitutionFunc: async name => env[name]?.trim(),
    watch: false,
  });
  const config = await ConfigSources.toConfig(source);
  // Read once: the config keeps what it read, and stops watching for changes.
  config.close();
  return config;
}
