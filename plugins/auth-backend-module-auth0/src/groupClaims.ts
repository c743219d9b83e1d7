import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  DEFAULT_NAMESPACE,
  Entity,
  KubernetesValidatorFunctions,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { normalizeAuth0EntityName } from '@backstage-auth0/plugin-auth0-common';

/**
 * One entry of `signIn.groupClaims`: a claim of the verified ID token whose values name Groups.
 *
 * @public
 */
export type Auth0GroupClaim = {
  /** The claim, e.g. `https://backstage.example.com/roles`. */
  claim: string;
  /** The namespace of the Groups it names; `default` unless given. */
  namespace: string;
};

/**
 * Reads `signIn.groupClaims`; problems go to `problems`, each naming its key.
 *
 * @public
 */
export function readGroupClaims(options: {
  envConfig: Config;
  keyPrefix: string;
  problems: string[];
}): Auth0GroupClaim[] {
  const { envConfig, keyPrefix, problems } = options;
  let configs: Config[];
  try {
    configs = envConfig.getOptionalConfigArray('signIn.groupClaims') ?? [];
  } catch (error) {
    problems.push(
      `${keyPrefix}.signIn.groupClaims must be a list of { claim, namespace? }: ${
        (error as Error).message
      }`,
    );
    return [];
  }
  const claims: Auth0GroupClaim[] = [];
  configs.forEach((config, index) => {
    const key = `${keyPrefix}.signIn.groupClaims[${index}]`;
    const claim = readString(config, 'claim', key, problems);
    const namespace =
      readString(config, 'namespace', key, problems) ?? DEFAULT_NAMESPACE;
    if (claim === undefined || claim.trim() === '') {
      problems.push(
        `${key}.claim is missing: name the ID token claim that holds the roles, e.g. https://backstage.example.com/roles`,
      );
      return;
    }
    if (!KubernetesValidatorFunctions.isValidNamespace(namespace)) {
      problems.push(
        `${key}.namespace "${namespace}" is not a catalog namespace: lower-case letters, digits and '-', e.g. default`,
      );
      return;
    }
    claims.push({ claim, namespace });
  });
  return claims;
}

function readString(
  config: Config,
  key: string,
  keyPrefix: string,
  problems: string[],
): string | undefined {
  try {
    return config.getOptionalString(key);
  } catch {
    problems.push(`${keyPrefix}.${key} must be a string`);
    return undefined;
  }
}

/**
 * The Groups that the configured claims of an ID token name and that exist in the catalog, as
 * entity refs. A value that names no Group is logged once at debug level; a claim that is
 * neither a string nor an array of strings is ignored with a warning (once per claim).
 * `known` holds what the catalog already said about some Groups (whether it has each): they
 * are not asked again, and the answers of the catalog are added to it.
 */
export type ClaimedGroups = (
  claims: Record<string, unknown>,
  known?: Map<string, boolean>,
) => Promise<string[]>;

/** The {@link ClaimedGroups} of the configured claims. */
export function createClaimedGroups(options: {
  groupClaims: Auth0GroupClaim[];
  catalog: CatalogService;
  auth: AuthService;
  logger: LoggerService;
}): ClaimedGroups {
  const { groupClaims, catalog, auth, logger } = options;
  const reportedMalformed = new Set<string>();
  const reportedMissing = new Set<string>();

  return async (claims, known = new Map()) => {
    const wanted = new Map<string, string>();
    for (const { claim, namespace } of groupClaims) {
      for (const value of claimValues(claim, claims[claim])) {
        const name = normalizeAuth0EntityName(value);
        if (name) {
          wanted.set(
            stringifyEntityRef({ kind: 'Group', namespace, name }),
            value,
          );
        }
      }
    }
    if (wanted.size === 0) return [];

    const refs = [...wanted.keys()];
    const unknown = refs.filter(ref => !known.has(ref));
    if (unknown.length > 0) {
      const { items } = await catalog.getEntitiesByRefs(
        { entityRefs: unknown, fields: ['kind', 'metadata.name'] },
        { credentials: await auth.getOwnServiceCredentials() },
      );
      items.forEach((item: Entity | undefined, index) => {
        const ref = unknown[index];
        known.set(ref, Boolean(item));
        if (!item && !reportedMissing.has(ref)) {
          reportedMissing.add(ref);
          logger.debug(
            `Auth0: the ID token claim value "${wanted.get(
              ref,
            )}" names ${ref}, which is not in the catalog; it adds no ownership`,
          );
        }
      });
    }
    return refs.filter(ref => known.get(ref));
  };

  function claimValues(claim: string, value: unknown): string[] {
    if (value === undefined || value === null) return [];
    if (typeof value === 'string') return [value];
    if (Array.isArray(value) && value.every(item => typeof item === 'string')) {
      return value;
    }
    if (!reportedMalformed.has(claim)) {
      reportedMalformed.add(claim);
      logger.warn(
        `Auth0: the ID token claim ${claim} is neither a string nor an array of strings (it is ${describe(
          value,
        )}); it is ignored. Make the Auth0 Action set it to the list of role names`,
      );
    }
    return [];
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array with a non-string item';
  const type = typeof value;
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}
