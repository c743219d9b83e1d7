/** How a stand-in is set up; every field has a default. */
export type Auth0DevServerOptions = {
  /** HTTPS port on 127.0.0.1; 0 picks a free one. Default 7443. */
  port?: number;
  /** Admin API port on 127.0.0.1; 0 picks a free one. Default: port + 1, or 0 with port 0. */
  adminPort?: number;
  /** Where the CA, certificate, keys and client secret are kept. Default <repo>/.cache/auth0-dev-server. */
  stateDir?: string;
  /** Default packages/auth0-dev-server/fixtures/users.yaml. */
  usersFile?: string;
  /** Default backstage-local. */
  clientId?: string;
  /** Default: one generated on the first start and kept in the state folder. */
  clientSecret?: string;
  /** Allowed callback URLs; a loopback URL's port may be `*`. */
  redirectUris?: string[];
  /** Allowed logout (returnTo) URLs; a loopback URL's port may be `*`. */
  logoutUrls?: string[];
  /** Refresh-token rotation with reuse detection. Default on. */
  refreshTokenRotation?: boolean;
  /** Auth0's /userinfo limit (5 a minute, bursts of 10, per user). Default on. */
  userinfoRateLimit?: boolean;
  /** Where the stand-in says what happens (sign-ins, errors). Default: stderr. */
  log?: (message: string) => void;
};

export const defaultOptions = {
  port: 7443,
  clientId: 'backstage-local',
  redirectUris: ['http://localhost:7007/api/auth/auth0/handler/frame'],
  logoutUrls: ['http://localhost:3000', 'http://localhost:7007'],
};

/** The environment variables main.ts reads, with what each sets. */
export const environmentVariables = {
  AUTH0_DEV_SERVER_PORT: 'port',
  AUTH0_DEV_SERVER_ADMIN_PORT: 'adminPort',
  AUTH0_DEV_SERVER_STATE_DIR: 'stateDir',
  AUTH0_DEV_SERVER_USERS_FILE: 'usersFile',
  AUTH0_DEV_SERVER_CLIENT_ID: 'clientId',
  AUTH0_DEV_SERVER_CLIENT_SECRET: 'clientSecret',
  AUTH0_DEV_SERVER_REDIRECT_URIS: 'redirectUris',
  AUTH0_DEV_SERVER_LOGOUT_URLS: 'logoutUrls',
  AUTH0_DEV_SERVER_REFRESH_TOKEN_ROTATION: 'refreshTokenRotation',
  AUTH0_DEV_SERVER_USERINFO_RATE_LIMIT: 'userinfoRateLimit',
} as const;

type OptionName =
  (typeof environmentVariables)[keyof typeof environmentVariables];

const flagNames: Record<string, OptionName> = Object.fromEntries(
  Object.values(environmentVariables).map(name => [
    `--${name.replace(/[A-Z]/g, letter => `-${letter.toLowerCase()}`)}`,
    name,
  ]),
);

/** The command-line flags main.ts takes, e.g. `--port`, `--redirect-uris`. */
export const commandLineFlags = Object.keys(flagNames);

/**
 * Reads options from the environment, then from `--flag value` arguments (which win).
 * Reports every problem at once.
 */
export function parseOptions(
  env: Record<string, string | undefined>,
  args: string[],
): Auth0DevServerOptions {
  const raw = new Map<OptionName, { value: string; from: string }>();
  for (const [variable, name] of Object.entries(environmentVariables)) {
    const value = env[variable];
    if (value !== undefined && value !== '')
      raw.set(name, { value, from: variable });
  }
  const problems: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const [flag, inline] = args[index].split(/=(.*)/s, 2);
    const name = flagNames[flag];
    const value = inline ?? args[index + 1];
    if (!name) {
      problems.push(
        `unknown argument "${
          args[index]
        }"; the flags are ${commandLineFlags.join(', ')}`,
      );
      continue;
    }
    if (value === undefined) {
      problems.push(`${flag} needs a value`);
      continue;
    }
    if (inline === undefined) index += 1;
    raw.set(name, { value, from: flag });
  }

  const options: Auth0DevServerOptions = {};
  for (const [name, { value, from }] of raw) {
    switch (name) {
      case 'port':
      case 'adminPort': {
        const port = Number(value);
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          problems.push(
            `${from} must be a port number from 0 to 65535, not "${value}"`,
          );
        } else {
          options[name] = port;
        }
        break;
      }
      case 'refreshTokenRotation':
      case 'userinfoRateLimit':
        if (value !== 'true' && value !== 'false') {
          problems.push(`${from} must be true or false, not "${value}"`);
        } else {
          options[name] = value === 'true';
        }
        break;
      case 'redirectUris':
      case 'logoutUrls':
        options[name] = value
          .split(',')
          .map(entry => entry.trim())
          .filter(Boolean);
        break;
      default:
        options[name] = value;
    }
  }
  if (problems.length > 0) {
    throw new Error(`auth0-dev-server: ${problems.join('; ')}`);
  }
  return options;
}
