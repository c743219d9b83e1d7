import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';

/**
 * One tenant's settings under `catalog.providers.auth0.<id>`, read once at startup (see
 * config.d.ts for each key).
 *
 * @public
 */
export type Auth0OrgProviderConfig = {
  /** The key under `catalog.providers.auth0`. */
  id: string;
  domain: string;
  clientId: string;
  clientSecret: string;
  schedule: SchedulerServiceTaskScheduleDefinition;
  users: {
    /** Connection names; every connection when undefined. */
    connections?: string[];
    includeUnverified: boolean;
  };
  groups: {
    fromRoles: boolean;
    fromOrganizations: boolean;
  };
};

/**
 * Startup problems of `catalog.providers.auth0`, gathered so that one start reports all of
 * them. Each entry names the key and says how to fix it.
 *
 * @public
 */
export class Auth0OrgConfigError extends Error {
  name = 'Auth0OrgConfigError';
  constructor(readonly problems: string[]) {
    super(
      `The Auth0 catalog provider cannot start:\n${problems
        .map(problem => `  - ${problem}`)
        .join('\n')}`,
    );
  }
}

const CONFIG_KEY = 'catalog.providers.auth0';

const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 30 },
  timeout: { minutes: 15 },
};

/**
 * Every provider under `catalog.providers.auth0`; throws one `Auth0OrgConfigError` with every
 * problem of every provider.
 *
 * @public
 */
export function readAuth0OrgProviderConfigs(
  rootConfig: Config,
): Auth0OrgProviderConfig[] {
  const providersConfig = rootConfig.getOptionalConfig(CONFIG_KEY);
  if (!providersConfig) {
    return [];
  }
  const problems: string[] = [];
  const providers: Auth0OrgProviderConfig[] = [];
  for (const id of providersConfig.keys()) {
    const keyPrefix = `${CONFIG_KEY}.${id}`;
    let config: Config | undefined;
    try {
      config = providersConfig.getOptionalConfig(id);
    } catch (error) {
      problems.push((error as Error).message);
      continue;
    }
    if (!config) {
      problems.push(
        `${keyPrefix} is empty: give domain, clientId and clientSecret of the tenant`,
      );
      continue;
    }
    providers.push(readProviderConfig({ id, config, keyPrefix, problems }));
  }
  if (problems.length > 0) {
    throw new Auth0OrgConfigError(problems);
  }
  return providers;
}

function readProviderConfig(options: {
  id: string;
  config: Config;
  keyPrefix: string;
  problems: string[];
}): Auth0OrgProviderConfig {
  const { id, config, keyPrefix, problems } = options;
  // The config reader's own messages name the whole key.
  const read = <T>(reader: () => T, fallback: T): T => {
    try {
      return reader();
    } catch (error) {
      problems.push((error as Error).message);
      return fallback;
    }
  };

  const connections = read(
    () => config.getOptionalStringArray('users.connections'),
    undefined,
  );

  return {
    id,
    domain: readDomain(config, keyPrefix, problems),
    clientId: readRequired(
      config,
      'clientId',
      keyPrefix,
      problems,
      'the Client ID of a Machine to Machine application authorized for the Auth0 Management API',
    ),
    clientSecret: readRequired(
      config,
      'clientSecret',
      keyPrefix,
      problems,
      'the Client Secret of that Machine to Machine application',
    ),
    schedule: readSchedule(config, keyPrefix, problems),
    users: {
      connections,
      includeUnverified: read(
        () => config.getOptionalBoolean('users.includeUnverified') ?? false,
        false,
      ),
    },
    groups: {
      fromRoles: read(
        () => config.getOptionalBoolean('groups.fromRoles') ?? true,
        true,
      ),
      fromOrganizations: read(
        () => config.getOptionalBoolean('groups.fromOrganizations') ?? true,
        true,
      ),
    },
  };
}

function readSchedule(
  config: Config,
  keyPrefix: string,
  problems: string[],
): SchedulerServiceTaskScheduleDefinition {
  if (!config.has('schedule')) {
    return DEFAULT_SCHEDULE;
  }
  try {
    return readSchedulerServiceTaskScheduleDefinitionFromConfig(
      config.getConfig('schedule'),
    );
  } catch (error) {
    problems.push(
      `${keyPrefix}.schedule: ${
        (error as Error).message
      }; e.g. { frequency: { minutes: 30 }, timeout: { minutes: 15 } }`,
    );
    return DEFAULT_SCHEDULE;
  }
}

function readRequired(
  config: Config,
  key: string,
  keyPrefix: string,
  problems: string[],
  what: string,
): string {
  let value = '';
  try {
    value = config.getOptionalString(key)?.trim() ?? '';
  } catch (error) {
    problems.push((error as Error).message);
    return '';
  }
  if (!value) {
    problems.push(`${keyPrefix}.${key} is missing: set it to ${what}`);
  }
  return value;
}

function readDomain(
  config: Config,
  keyPrefix: string,
  problems: string[],
): string {
  const domain = readRequired(
    config,
    'domain',
    keyPrefix,
    problems,
    "your tenant's domain, e.g. my-company.eu.auth0.com",
  );
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(domain);
  if (scheme) {
    problems.push(
      `${keyPrefix}.domain is "${domain}": give the host name only, without "${
        scheme[0]
      }", e.g. ${domain.slice(scheme[0].length).split('/')[0]}`,
    );
    return '';
  }
  if (/[/?#]/.test(domain)) {
    problems.push(
      `${keyPrefix}.domain is "${domain}": give the host name only, without a path, e.g. ${
        domain.split(/[/?#]/)[0]
      }`,
    );
    return '';
  }
  return domain;
}
