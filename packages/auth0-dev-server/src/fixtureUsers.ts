import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

/** One person the dev server can sign in, as read from the fixture file. */
export type FixtureUser = {
  id: string;
  /** `auth0|<id>`, the way Auth0's database connection names its users. */
  sub: string;
  email: string;
  emailVerified: boolean;
  name: string;
  nickname: string;
  /** Absent when the dev server draws the avatar itself. */
  picture?: string;
  updatedAt: string;
  password: string;
  /** Why this user is in the fixture; shown on the login page. */
  note?: string;
  /** Ids of the organizations the user is a member of. */
  organizations: string[];
  /** Ids of the roles (Auth0 RBAC) assigned to the user. */
  roles: string[];
  /** Auth0's `blocked` flag: a blocked user cannot sign in. */
  blocked: boolean;
  /** ISO 8601, as the Management API gives `created_at`. */
  createdAt: string;
};

/** An Auth0 role (RBAC), as read from the fixture file. */
export type FixtureRole = {
  /** `rol_...`, as Auth0 names role ids. */
  id: string;
  /** Free text, as Auth0 allows: spaces, capitals, punctuation. */
  name: string;
  description: string;
};

/** An Auth0 Organization, as read from the fixture file. */
export type FixtureOrganization = {
  /** `org_...`: what `organization=` takes and the `org_id` claim holds. */
  id: string;
  /** Lower case: what `organization=` also takes and the `org_name` claim holds. */
  name: string;
  displayName: string;
};

export type FixtureUsers = {
  all: FixtureUser[];
  bySub(sub: string): FixtureUser | undefined;
  byId(id: string): FixtureUser | undefined;
  /**
   * The user with exactly this email, else the only one whose email matches ignoring
   * letter case. Several users may share an email (verified and not); the first wins.
   */
  byEmail(email: string): FixtureUser | undefined;
  organizations: FixtureOrganization[];
  roles: FixtureRole[];
  /**
   * The organization an `organization` authorization parameter names: its id, or its name
   * (as with Auth0's "Allow Organization Names in Authentication API" on), in any letter case.
   */
  organization(idOrName: string): FixtureOrganization | undefined;
  isMember(user: FixtureUser, organization: FixtureOrganization): boolean;
};

const defaultUpdatedAt = '2026-01-01T00:00:00.000Z';
const defaultCreatedAt = '2025-06-01T09:00:00.000Z';

export async function loadFixtureUsers(file: string): Promise<FixtureUsers> {
  let document: unknown;
  try {
    document = parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(
      `auth0-dev-server: cannot read the fixture users from ${file}: ${
        (error as Error).message
      }`,
    );
  }
  const problems: string[] = [];
  const organizations = parseOrganizations(document, problems);
  const roles = parseRoles(document, problems);
  const users = parseUsers(
    document,
    {
      organizations: new Set(
        organizations.map(organization => organization.id),
      ),
      roles: new Set(roles.map(role => role.id)),
    },
    problems,
  );
  if (problems.length > 0) {
    throw new Error(
      `auth0-dev-server: the fixture users in ${file} are not valid:\n${problems
        .map(problem => `  - ${problem}`)
        .join('\n')}`,
    );
  }
  return indexUsers(users, organizations, roles);
}

const organizationIdPattern = /^org_[A-Za-z0-9]+$/;
// Auth0 keeps organization names in lower case: letters, digits, '-' and '_'.
const organizationNamePattern = /^[a-z0-9][a-z0-9_-]*$/;

function parseOrganizations(
  document: unknown,
  problems: string[],
): FixtureOrganization[] {
  if (!isRecord(document) || document.organizations === undefined) return [];
  if (!Array.isArray(document.organizations)) {
    problems.push('`organizations` must be a list');
    return [];
  }
  const seen = new Set<string>();
  const organizations: FixtureOrganization[] = [];
  document.organizations.forEach((entry: unknown, index: number) => {
    const where = `organizations[${index}]`;
    if (!isRecord(entry)) {
      problems.push(`${where} must be a mapping`);
      return;
    }
    const { id, name, display_name: displayName } = entry;
    let valid = true;
    if (typeof id !== 'string' || !organizationIdPattern.test(id)) {
      problems.push(
        `${where}.id must look like Auth0's organization ids: "org_" and letters or digits`,
      );
      valid = false;
    }
    if (typeof name !== 'string' || !organizationNamePattern.test(name)) {
      problems.push(
        `${where}.name must be lower case letters, digits, '-' or '_', as Auth0 keeps organization names`,
      );
      valid = false;
    }
    if (displayName !== undefined && typeof displayName !== 'string') {
      problems.push(`${where}.display_name must be a string`);
      valid = false;
    }
    for (const key of [id, name]) {
      if (typeof key !== 'string') continue;
      if (seen.has(key)) {
        problems.push(`${where}: "${key}" is used twice`);
        valid = false;
      }
      seen.add(key);
    }
    if (!valid) return;
    organizations.push({
      id: id as string,
      name: name as string,
      displayName: (displayName as string | undefined) ?? (name as string),
    });
  });
  return organizations;
}

const roleIdPattern = /^rol_[A-Za-z0-9]+$/;

function parseRoles(document: unknown, problems: string[]): FixtureRole[] {
  if (!isRecord(document) || document.roles === undefined) return [];
  if (!Array.isArray(document.roles)) {
    problems.push('`roles` must be a list');
    return [];
  }
  const seen = new Set<string>();
  const roles: FixtureRole[] = [];
  document.roles.forEach((entry: unknown, index: number) => {
    const where = `roles[${index}]`;
    if (!isRecord(entry)) {
      problems.push(`${where} must be a mapping`);
      return;
    }
    const { id, name, description } = entry;
    let valid = true;
    if (typeof id !== 'string' || !roleIdPattern.test(id)) {
      problems.push(
        `${where}.id must look like Auth0's role ids: "rol_" and letters or digits`,
      );
      valid = false;
    }
    if (typeof name !== 'string' || name.trim() === '') {
      problems.push(`${where}.name must be a non-empty string`);
      valid = false;
    }
    if (description !== undefined && typeof description !== 'string') {
      problems.push(`${where}.description must be a string`);
      valid = false;
    }
    for (const key of [id, typeof name === 'string' ? name : undefined]) {
      if (typeof key !== 'string') continue;
      if (seen.has(key)) {
        problems.push(`${where}: "${key}" is used twice`);
        valid = false;
      }
      seen.add(key);
    }
    if (!valid) return;
    roles.push({
      id: id as string,
      name: name as string,
      description: (description as string | undefined) ?? '',
    });
  });
  return roles;
}

function parseUsers(
  document: unknown,
  known: { organizations: Set<string>; roles: Set<string> },
  problems: string[],
): FixtureUser[] {
  if (!isRecord(document) || !Array.isArray(document.users)) {
    problems.push('the file needs a top-level `users:` list');
    return [];
  }
  const sharedPassword = document.password;
  if (sharedPassword !== undefined && typeof sharedPassword !== 'string') {
    problems.push('`password` must be a string');
  }
  const seenIds = new Set<string>();
  const users: FixtureUser[] = [];
  document.users.forEach((entry: unknown, index: number) => {
    const where = `users[${index}]`;
    if (!isRecord(entry)) {
      problems.push(`${where} must be a mapping`);
      return;
    }
    const text = (key: string, required: boolean) => {
      const value = entry[key];
      if (value === undefined && !required) return undefined;
      if (typeof value !== 'string' || value === '') {
        problems.push(`${where}.${key} must be a non-empty string`);
        return undefined;
      }
      return value;
    };
    const id = text('id', true);
    const email = text('email', true);
    const name = text('name', true);
    const nickname = text('nickname', false);
    const picture = text('picture', false);
    const note = text('note', false);
    const updatedAt = text('updated_at', false);
    const createdAt = text('created_at', false);
    for (const [key, value] of [
      ['updated_at', updatedAt],
      ['created_at', createdAt],
    ] as const) {
      if (value !== undefined && Number.isNaN(Date.parse(value))) {
        problems.push(`${where}.${key} must be an ISO 8601 date and time`);
      }
    }
    if (entry.blocked !== undefined && typeof entry.blocked !== 'boolean') {
      problems.push(`${where}.blocked must be true or false`);
    }
    const password =
      text('password', false) ??
      (typeof sharedPassword === 'string' ? sharedPassword : undefined);
    if (typeof entry.email_verified !== 'boolean') {
      problems.push(`${where}.email_verified must be true or false`);
    }
    if (id !== undefined && !/^[A-Za-z0-9._-]+$/.test(id)) {
      problems.push(
        `${where}.id "${id}" may only hold letters, digits, '.', '_' and '-'`,
      );
    }
    if (id !== undefined && seenIds.has(id)) {
      problems.push(`${where}.id "${id}" is used twice`);
    }
    if (id !== undefined) seenIds.add(id);
    if (password === undefined) {
      problems.push(
        `${where} has no password and the file has no shared \`password\``,
      );
    }
    const idList = (key: 'organizations' | 'roles', what: string) => {
      const ids: string[] = [];
      const value = entry[key];
      if (value === undefined) return ids;
      if (
        !Array.isArray(value) ||
        !value.every(item => typeof item === 'string')
      ) {
        problems.push(`${where}.${key} must be a list of ${what} ids`);
        return ids;
      }
      for (const listed of value as string[]) {
        if (known[key].has(listed)) {
          ids.push(listed);
        } else {
          problems.push(
            `${where}.${key} names "${listed}", which is not the id of ${
              what === 'organization' ? 'an' : 'a'
            } ${what} in \`${key}\``,
          );
        }
      }
      return ids;
    };
    const organizations = idList('organizations', 'organization');
    const roles = idList('roles', 'role');
    if (!id || !email || !name || password === undefined) return;
    users.push({
      id,
      sub: `auth0|${id}`,
      email,
      emailVerified: entry.email_verified === true,
      name,
      nickname: nickname ?? email.split('@')[0],
      picture,
      updatedAt: updatedAt ?? defaultUpdatedAt,
      createdAt:
        normalizedDate(createdAt) ??
        // Distinct, in file order, as if each user signed up a minute after the last.
        new Date(Date.parse(defaultCreatedAt) + index * 60_000).toISOString(),
      password,
      note,
      organizations,
      roles,
      blocked: entry.blocked === true,
    });
  });
  return users;
}

function normalizedDate(value: string | undefined): string | undefined {
  if (value === undefined || Number.isNaN(Date.parse(value))) return undefined;
  return new Date(value).toISOString();
}

function indexUsers(
  users: FixtureUser[],
  organizations: FixtureOrganization[],
  roles: FixtureRole[],
): FixtureUsers {
  return {
    organizations,
    roles,
    organization(idOrName) {
      const wanted = idOrName.toLowerCase();
      return (
        organizations.find(organization => organization.id === idOrName) ??
        organizations.find(organization => organization.name === wanted)
      );
    },
    isMember: (user, organization) =>
      user.organizations.includes(organization.id),
    all: users,
    bySub: sub => users.find(user => user.sub === sub),
    byId: id => users.find(user => user.id === id),
    byEmail(email) {
      const exact = users.find(user => user.email === email);
      if (exact) return exact;
      const folded = users.filter(
        user => user.email.toLowerCase() === email.toLowerCase(),
      );
      return folded.length === 1 ? folded[0] : undefined;
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
