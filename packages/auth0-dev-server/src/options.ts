import { defaultRolesClaim } from './rolesClaim.ts';

/** How a dev server is set up; every field has a default. */
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
  /**
   * The sign-in application's refresh token reuse interval (`refresh_token.leeway`): seconds
   * in which a rotated refresh token still works instead of revoking its family. Default 0,
   * Auth0's.
   */
  refreshTokenLeeway?: number;
  /** Auth0's /userinfo limit (5 a minute, bursts of 10, per user). Default on. */
  userinfoRateLimit?: boolean;
  /**
   * The "Machine to Machine" application that gets Management API tokens with
   * `grant_type=client_credentials`. Default backstage-catalog.
   */
  managementClientId?: string;
  /** Default: one generated on the first start and kept in the state folder. */
  managementClientSecret?: string;
  /** Generated users the Management API serves besides the fixture users. Default 0. */
  syntheticUsers?: number;
  /** What the synthetic users are generated from: the same seed gives the same users. Default 1. */
  syntheticUsersSeed?: number;
  /**
   * The namespaced claim with the user's role names that ID tokens carry, as an Auth0 Action
   * sets it (`api.idToken.setCustomClaim(<this>, event.authorization.roles)`). Default
   * https://backstage.example.com/roles.
   */
  rolesClaim?: string;
  /** Where the dev server says what happens (sign-ins, errors). Default: stderr. */
  log?: (message: string) => void;
};

export const defaultOptions = {
  port: 7443,
  clientId: 'backstage-local',
  managementClientId: 'backstage-catalog',
  redirectUris: ['http://localhost:7007/api/auth/auth0/handler/frame'],
  logoutUrls: ['http://localhost:3000', 'http://localhost:7007'],
  rolesClaim: defaultRolesClaim,
};

/** The options that main.ts takes as flags and environment variables: all but `log`. */
export type CommandLineOptions = Omit<Auth0DevServerOptions, 'log'>;
type OptionName = keyof CommandLineOptions;

/** How a value is written on the command line, by its type. */
type KindOf<T> = T extends number
  ? 'port' | 'count'
  : T extends boolean
  ? 'boolean'
  : T extends string[]
  ? 'list'
  : 'text';

/**
 * Every command-line option, once. Its flag and variable follow from its name: `adminPort`
 * is `--admin-port` and `AUTH0_DEV_SERVER_ADMIN_PORT`. The type check keeps this list
 * complete and each kind true to the option's type.
 */
const optionKinds: {
  [Name in OptionName]-?: KindOf<NonNullable<CommandLineOptions[Name]>>;
} = {
  port: 'port',
  adminPort: 'port',
  stateDir: 'text',
  usersFile: 'text',
  clientId: 'text',
  clientSecret: 'text',
  redirectUris: 'list',
  logoutUrls: 'list',
  refreshTokenRotation: 'boolean',
  refreshTokenLeeway: 'count',
  userinfoRateLimit: 'boolean',
  managementClientId: 'text',
  managementClientSecret: 'text',
  syntheticUsers: 'count',
  syntheticUsersSeed: 'count',
  rolesClaim: 'text',
};

/** The most synthetic users (and the largest seed) a command line may ask for. */
export const maxCount = 1_000_000;
const optionNames = Object.keys(optionKinds) as OptionName[];

const kebabCase = (name: string) =>
  name.replace(/[A-Z]/g, letter => `-${letter.toLowerCase()}`);
const flagOf = (name: OptionName) => `--${kebabCase(name)}`;
const variableOf = (name: OptionName) =>
  `AUTH0_DEV_SERVER_${kebabCase(name).replace(/-/g, '_').toUpperCase()}`;

/**
 * Reads options from the environment, then from `--flag value` arguments (which win).
 * Reports every problem at once.
 */
export function parseOptions(
  env: Record<string, string | undefined>,
  args: string[],
): CommandLineOptions {
  const raw = new Map<OptionName, { value: string; from: string }>();
  for (const name of optionNames) {
    const value = env[variableOf(name)];
    if (value !== undefined && value !== '') {
      raw.set(name, { value, from: variableOf(name) });
    }
  }
  const problems: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const [flag, inline] = args[index].split(/=(.*)/s, 2);
    const name = optionNames.find(candidate => flagOf(candidate) === flag);
    const value = inline ?? args[index + 1];
    if (!name) {
      problems.push(
        `unknown argument "${args[index]}"; the flags are ${optionNames
          .map(flagOf)
          .join(', ')}`,
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

  const options: Record<string, unknown> = {};
  for (const [name, { value, from }] of raw) {
    switch (optionKinds[name]) {
      case 'port': {
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
      case 'count': {
        const count = Number(value);
        if (!/^\d+$/.test(value) || count > maxCount) {
          problems.push(
            `${from} must be a whole number from 0 to ${maxCount}, not "${value}"`,
          );
        } else {
          options[name] = count;
        }
        break;
      }
      case 'boolean':
        if (value !== 'true' && value !== 'false') {
          problems.push(`${from} must be true or false, not "${value}"`);
        } else {
          options[name] = value === 'true';
        }
        break;
      case 'list':
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
  return options as CommandLineOptions;
}

/** The arguments that make main.ts, run as a command, take these options. */
export function commandLineArgs(options: CommandLineOptions): string[] {
  return optionNames.flatMap(name => {
    const value = options[name];
    if (value === undefined) return [];
    return [
      flagOf(name),
      Array.isArray(value) ? value.join(',') : String(value),
    ];
  });
}
