import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import { DEFAULT_RESULT_WINDOW_MS } from './refreshCoordinator';

/**
 * One environment's settings under `auth.providers.auth0.<environment>`, read once by the
 * authenticator's `initialize` (see config.d.ts for each key).
 *
 * @public
 */
export type Auth0ProviderSettings = {
  domain: string;
  clientId: string;
  clientSecret: string;
  callbackUrl?: string;
  audience?: string;
  connection?: string;
  connectionScope?: string;
  organization?: string;
  /** `auto` sends no prompt and lets Auth0 decide. */
  prompt: string;
  federatedLogout: boolean;
  /** How long a refresh result is handed to requests that still carry the old token. */
  refreshResultWindowMs: number;
};

const MAX_RESULT_WINDOW_MS = 60_000;

export const MINIMUM_SESSION_SECRET_LENGTH = 32;

/**
 * Startup problems, gathered so that one start reports all of them. Each entry says
 * which key is wrong and how to fix it.
 *
 * @public
 */
export class Auth0ConfigError extends Error {
  name = 'Auth0ConfigError';
  constructor(readonly problems: string[]) {
    super(
      `The Auth0 provider cannot start:\n${problems
        .map(problem => `  - ${problem}`)
        .join('\n')}`,
    );
  }
}

/**
 * Whether the module applies its production checks: `NODE_ENV=production`, or
 * `auth.environment: production`.
 *
 * @public
 */
export function isProduction(rootConfig: Config): boolean {
  return (
    process.env.NODE_ENV === 'production' ||
    rootConfig.getOptionalString('auth.environment') === 'production'
  );
}

function readDomain(
  envConfig: Config,
  keyPrefix: string,
  problems: string[],
): string {
  const domain = envConfig.getOptionalString('domain')?.trim() ?? '';
  if (!domain) {
    problems.push(
      `${keyPrefix}.domain is missing: set AUTH_AUTH0_DOMAIN to your tenant's domain, e.g. my-company.eu.auth0.com`,
    );
    return '';
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(domain)) {
    problems.push(
      `${keyPrefix}.domain is "${domain}": give the host name only, without "${
        domain.split('//')[0]
      }//", e.g. ${
        domain.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split('/')[0]
      }`,
    );
    return '';
  }
  if (domain.includes('/')) {
    problems.push(
      `${keyPrefix}.domain is "${domain}": give the host name only, without a path, e.g. ${
        domain.split('/')[0]
      }`,
    );
    return '';
  }
  return domain;
}

function readRequiredString(
  envConfig: Config,
  key: string,
  keyPrefix: string,
  variable: string,
  problems: string[],
): string {
  const value = envConfig.getOptionalString(key)?.trim() ?? '';
  if (!value) {
    problems.push(
      `${keyPrefix}.${key} is missing: set ${variable} (Auth0 dashboard > Applications > your Backstage application)`,
    );
  }
  return value;
}

/**
 * Reads one environment's Auth0 settings, adding what is wrong to `problems`.
 */
export function readAuth0ProviderSettings(options: {
  envConfig: Config;
  keyPrefix: string;
  problems: string[];
}): Auth0ProviderSettings {
  const { envConfig, keyPrefix, problems } = options;

  const settings: Auth0ProviderSettings = {
    domain: readDomain(envConfig, keyPrefix, problems),
    clientId: readRequiredString(
      envConfig,
      'clientId',
      keyPrefix,
      'AUTH_AUTH0_CLIENT_ID',
      problems,
    ),
    clientSecret: readRequiredString(
      envConfig,
      'clientSecret',
      keyPrefix,
      'AUTH_AUTH0_CLIENT_SECRET',
      problems,
    ),
    callbackUrl: envConfig.getOptionalString('callbackUrl'),
    audience: envConfig.getOptionalString('audience'),
    connection: envConfig.getOptionalString('connection'),
    connectionScope: envConfig.getOptionalString('connectionScope'),
    organization: envConfig.getOptionalString('organization'),
    prompt: envConfig.getOptionalString('prompt') ?? 'auto',
    federatedLogout: envConfig.getOptionalBoolean('federatedLogout') ?? false,
    refreshResultWindowMs: readResultWindow(envConfig, keyPrefix, problems),
  };

  return settings;
}

function readResultWindow(
  envConfig: Config,
  keyPrefix: string,
  problems: string[],
): number {
  const key = 'refreshResultWindow';
  if (!envConfig.has(key)) {
    return DEFAULT_RESULT_WINDOW_MS;
  }
  let ms: number;
  try {
    ms = durationToMilliseconds(readDurationFromConfig(envConfig, { key }));
  } catch (error) {
    problems.push(
      `${keyPrefix}.${key} is not a duration (${
        (error as Error).message
      }): write e.g. { seconds: 10 }`,
    );
    return DEFAULT_RESULT_WINDOW_MS;
  }
  if (ms < 1_000 || ms > MAX_RESULT_WINDOW_MS) {
    problems.push(
      `${keyPrefix}.${key} is ${ms} ms: it must be from 1 to ${
        MAX_RESULT_WINDOW_MS / 1000
      } seconds (the default is ${
        DEFAULT_RESULT_WINDOW_MS / 1000
      }); longer lets an old refresh token be ` +
        `swapped for the session's tokens for longer`,
    );
    return DEFAULT_RESULT_WINDOW_MS;
  }
  return ms;
}

/**
 * Problems with `auth.session.secret`, which signs the OAuth flow's session cookie.
 *
 * @public
 */
export function sessionSecretProblems(rootConfig: Config): string[] {
  if (!isProduction(rootConfig)) {
    return [];
  }
  const secret = rootConfig.getOptionalString('auth.session.secret') ?? '';
  if (!secret) {
    return [
      'auth.session.secret is missing: set AUTH_SESSION_SECRET to at least 32 random characters (openssl rand -base64 32)',
    ];
  }
  if (secret.length < MINIMUM_SESSION_SECRET_LENGTH) {
    return [
      `auth.session.secret is ${secret.length} characters long: production needs at least ${MINIMUM_SESSION_SECRET_LENGTH}; set AUTH_SESSION_SECRET to the output of openssl rand -base64 32`,
    ];
  }
  return [];
}
