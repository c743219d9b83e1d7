import type { Directory } from './directory.ts';
import type { FixtureRole } from './fixtureUsers.ts';

/**
 * The namespaced claim that carries a user's role names in ID tokens, as the usual Auth0
 * Action (post-login) sets it:
 *
 *   exports.onExecutePostLogin = async (event, api) => {
 *     if (event.authorization) {
 *       api.idToken.setCustomClaim('https://backstage.example.com/roles', event.authorization.roles);
 *     }
 *   };
 *
 * `event.authorization.roles` is the list of the user's role names, empty for a user with
 * none; Actions run on every sign-in and every refresh-token exchange.
 */
export const defaultRolesClaim = 'https://backstage.example.com/roles';

/**
 * Claims the ID token carries already (the dev server's, and those oidc-provider sets), which
 * the roles claim must not replace.
 */
const takenClaims = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'azp',
  'nonce',
  'auth_time',
  'at_hash',
  'c_hash',
  's_hash',
  'acr',
  'amr',
  'sid',
  'email',
  'email_verified',
  'name',
  'nickname',
  'picture',
  'updated_at',
  'org_id',
  'org_name',
]);

/** The roles claim's name, checked: a claim of its own, not empty. */
export function checkRolesClaimName(name: string): string {
  let problem: string | undefined;
  if (name.trim() === '') {
    problem = 'must not be empty';
  } else if (takenClaims.has(name)) {
    problem = `must be a claim of its own, not "${name}", which the ID token already carries`;
  }
  if (problem) {
    throw new Error(
      `auth0-dev-server: the roles claim (rolesClaim, --roles-claim, AUTH0_DEV_SERVER_ROLES_CLAIM) ${problem}; the default is ${defaultRolesClaim}`,
    );
  }
  return name;
}

/** What the admin API's `PATCH /users/{id}` changes about a fixture user at run time. */
export type UserPatch = {
  /**
   * Replaces the user's role assignments (role ids or names), as an admin would in the Auth0
   * Dashboard: the Management API and the roles claim of the next ID token follow.
   */
  roles?: string[];
  /**
   * The roles claim's value in this user's next ID tokens whatever the roles: any JSON, as a
   * buggy Action could set it. `null` ends the override.
   */
  rolesClaim?: unknown;
};

/** A fixture user's roles and roles claim, as `PATCH /users/{id}` answers them. */
export type UserRolesState = {
  /** The fixture id (`chris`). */
  id: string;
  /** `auth0|<id>`. */
  sub: string;
  /** The assigned roles, in assignment order. */
  roles: Array<{ id: string; name: string }>;
  rolesClaim: {
    /** The claim's name. */
    name: string;
    /** What the user's next ID token carries in it. */
    value: unknown;
    /** Whether `value` is an override rather than the role names. */
    overridden: boolean;
  };
};

/** An admin request that cannot be done: the admin API answers `status` with the problems. */
export class AdminRequestError extends Error {
  status: number;
  problems: string[];

  constructor(status: number, problems: string[]) {
    super(problems.join('; '));
    this.name = 'AdminRequestError';
    this.status = status;
    this.problems = problems;
  }
}

const patchFields = ['roles', 'rolesClaim'];

/**
 * The patch with its roles as role ids (each once, in the order given), or every problem:
 * unknown fields, a `roles` that is not a list of strings, roles that do not exist.
 */
export function resolveUserPatch(
  input: unknown,
  roles: readonly FixtureRole[],
): { roleIds?: string[]; rolesClaim?: unknown } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new AdminRequestError(400, [
      'the body must be a JSON object: { "roles"?: [role ids or names], "rolesClaim"?: any JSON, or null to end the override }',
    ]);
  }
  const record = input as Record<string, unknown>;
  const problems: string[] = [];
  const unknown = Object.keys(record).filter(key => !patchFields.includes(key));
  if (unknown.length > 0) {
    problems.push(
      `unknown field${unknown.length === 1 ? '' : 's'} ${unknown
        .map(key => `"${key}"`)
        .join(', ')}; the fields are ${patchFields.join(', ')}`,
    );
  }
  let roleIds: string[] | undefined;
  if (record.roles !== undefined) {
    if (
      !Array.isArray(record.roles) ||
      !record.roles.every(role => typeof role === 'string')
    ) {
      problems.push('roles must be a list of role ids or names');
    } else {
      roleIds = [];
      for (const wanted of record.roles as string[]) {
        const role =
          roles.find(candidate => candidate.id === wanted) ??
          roles.find(candidate => candidate.name === wanted);
        if (!role) {
          problems.push(
            `roles: there is no role "${wanted}"; the roles are ${roles
              .map(known => `${known.id} (${known.name})`)
              .join(', ')}`,
          );
        } else if (!roleIds.includes(role.id)) {
          roleIds.push(role.id);
        }
      }
    }
  }
  if (problems.length > 0) throw new AdminRequestError(400, problems);
  return {
    ...(roleIds === undefined ? {} : { roleIds }),
    ...(record.rolesClaim === undefined
      ? {}
      : { rolesClaim: record.rolesClaim }),
  };
}

export type RolesClaim = {
  name: string;
  /** The claim's value in the user's next ID token: the override, else the role names. */
  valueOf(sub: string): unknown;
  overridden(sub: string): boolean;
  /** Sets (or, with null, ends) the user's override. */
  override(sub: string, value: unknown): void;
  /** Ends every override. */
  reset(): void;
};

/** The roles claim: role names from the directory (so changed roles show), or an override. */
export function createRolesClaim(
  name: string,
  directory: Directory,
): RolesClaim {
  const overrides = new Map<string, unknown>();
  return {
    name,
    valueOf(sub) {
      if (overrides.has(sub)) return overrides.get(sub);
      return (directory.person(sub)?.roles ?? []).flatMap(id => {
        const role = directory.role(id);
        return role ? [role.name] : [];
      });
    },
    overridden: sub => overrides.has(sub),
    override(sub, value) {
      if (value === null) overrides.delete(sub);
      else overrides.set(sub, value);
    },
    reset: () => overrides.clear(),
  };
}
