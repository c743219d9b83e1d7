import {
  DEFAULT_NAMESPACE,
  KubernetesValidatorFunctions,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type { Config } from '@backstage/config';

/** Where the policy's settings live in app-config. */
export const PERMISSIONS_CONFIG_KEY = 'backstageAuth0.permissions';
export const ADMINS_CONFIG_KEY = `${PERMISSIONS_CONFIG_KEY}.admins`;

export type PermissionPolicyConfig = {
  /**
   * Entity refs of the Users and Groups whose members may do everything, in the form the
   * catalog and Backstage tokens use: lower case, `kind:namespace/name`.
   */
  admins: string[];
};

/**
 * Startup problems of `backstageAuth0.permissions`, gathered so that one start reports all of
 * them. Each entry names the key and says how to fix it.
 */
export class PermissionPolicyConfigError extends Error {
  name = 'PermissionPolicyConfigError';
  constructor(readonly problems: string[]) {
    super(
      `The permission policy cannot start:\n${problems
        .map(problem => `  - ${problem}`)
        .join('\n')}`,
    );
  }
}

const ADMIN_KINDS = ['user', 'group'];

/**
 * Reads `backstageAuth0.permissions`; throws one `PermissionPolicyConfigError` with every
 * problem. Without the key there are no admins.
 */
export function readPermissionPolicyConfig(
  config: Config,
): PermissionPolicyConfig {
  let entries: unknown[];
  try {
    // Read as untyped so that each wrong entry can be reported with its index.
    const value = config.getOptional<unknown>(ADMINS_CONFIG_KEY) ?? [];
    if (!Array.isArray(value)) {
      throw new PermissionPolicyConfigError([
        `${ADMINS_CONFIG_KEY} must be a list of entity refs of Users or Groups, e.g. [group:default/platform-team]`,
      ]);
    }
    entries = value;
  } catch (error) {
    if (error instanceof PermissionPolicyConfigError) throw error;
    throw new PermissionPolicyConfigError([(error as Error).message]);
  }

  const problems: string[] = [];
  const admins = new Set<string>();
  entries.forEach((entry, index) => {
    const key = `${ADMINS_CONFIG_KEY}[${index}]`;
    const result = parseAdminRef(entry);
    if (typeof result === 'string') {
      admins.add(result);
    } else {
      problems.push(`${key} ${result.problem}`);
    }
  });
  if (problems.length > 0) {
    throw new PermissionPolicyConfigError(problems);
  }
  return { admins: [...admins] };
}

/** The normalized ref of one `admins` entry, or what is wrong with it. */
function parseAdminRef(entry: unknown): string | { problem: string } {
  const example =
    'write it as user:default/<name> or group:default/<name>, e.g. group:default/platform-team';
  if (typeof entry !== 'string' || entry.trim() === '') {
    return {
      problem: `is ${JSON.stringify(entry)}, not an entity ref: ${example}`,
    };
  }
  const text = entry.trim();
  let ref;
  try {
    ref = parseEntityRef(text, { defaultNamespace: DEFAULT_NAMESPACE });
  } catch {
    return { problem: `"${text}" is not an entity ref: ${example}` };
  }
  const kind = ref.kind.toLocaleLowerCase('en-US');
  const namespace = ref.namespace.toLocaleLowerCase('en-US');
  if (!ADMIN_KINDS.includes(kind)) {
    return {
      problem: `"${text}" names a ${ref.kind}: only Users and Groups can be admins; ${example}`,
    };
  }
  if (
    !KubernetesValidatorFunctions.isValidNamespace(namespace) ||
    !KubernetesValidatorFunctions.isValidObjectName(ref.name)
  ) {
    return {
      problem: `"${text}" is not a valid catalog name (letters, digits, '-', '_' and '.'): ${example}`,
    };
  }
  // Tokens carry refs as the catalog writes them in relations: in lower case.
  return stringifyEntityRef({
    kind,
    namespace,
    name: ref.name,
  }).toLocaleLowerCase('en-US');
}
