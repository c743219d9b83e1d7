import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { isRecord } from './jsonValues.ts';

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

// Auth0 keeps organization names in lower case: letters, digits, '-' and '_'.
const organizationNamePattern = /^[a-z0-9][a-z0-9_-]*$/;

function parseOrganizations(
  document: unknown,
  problems: string[],
): FixtureOrganization[] {
  return parseAuth0Objects(document, problems, {
    key: 'organizations',
    kind: 'organization',
    idPrefix: 'org_',
    validName: name => organizationNamePattern.test(name),
    nameProblem:
      "must be lower case letters, digits, '-' or '_', as Auth0 keeps organization names",
    readRest: (entry, { optionalString }) => ({
      displayName: optionalString('display_name') ?? (entry.name as string),
    }),
  });
}

function parseRoles(document: unknown, problems: string[]): FixtureRole[] {
  return parseAuth0Objects(document, problems, {
    key: 'roles',
    kind: 'role',
    idPrefix: 'rol_',
    validName: name => name.trim() !== '',
    nameProblem: 'must be a non-empty string',
    readRest: (_entry, { optionalString }) => ({
      description: optionalString('description') ?? '',
    }),
  });
}

/**
 * A top-level list of Auth0 objects (roles, organizations) that the file may leave out: each
 * a mapping with an `id` of Auth0's form (the prefix, then letters or digits) and a `name`,
 * neither used twice in the list; `readRest` checks and reads its other fields. The problems
 * come in that order: id, name, the other fields, then ids or names used twice.
 */
function parseAuth0Objects<Rest>(
  document: unknown,
  problems: string[],
  spec: {
    key: 'organizations' | 'roles';
    kind: string;
    idPrefix: string;
    validName: (name: string) => boolean;
    nameProblem: string;
    readRest: (entry: Record<string, unknown>, context: EntryContext) => Rest;
  },
): Array<{ id: string; name: string } & Rest> {
  const { key, kind, idPrefix } = spec;
  if (!isRecord(document) || document[key] === undefined) return [];
  const list = document[key];
  if (!Array.isArray(list)) {
    problems.push(`\`${key}\` must be a list`);
    return [];
  }
  const idPattern = new RegExp(`^${idPrefix}[A-Za-z0-9]+$`);
  const seen = new Set<string>();
  return readEntries(list, key, problems, (entry, context) => {
    const { where, check } = context;
    const { id, name } = entry;
    check(
      typeof id === 'string' && idPattern.test(id),
      `${where}.id must look like Auth0's ${kind} ids: "${idPrefix}" and letters or digits`,
    );
    check(
      typeof name === 'string' && spec.validName(name),
      `${where}.name ${spec.nameProblem}`,
    );
    const rest = spec.readRest(entry, context);
    for (const taken of [id, name]) {
      if (typeof taken !== 'string') continue;
      check(!seen.has(taken), `${where}: "${taken}" is used twice`);
      seen.add(taken);
    }
    // Kept only when every check passed: then id and name are strings.
    return { id: id as string, name: name as string, ...rest };
  });
}

/** How `readEntries` hands one entry of a list to the code that reads it. */
type EntryContext = {
  /** Where the entry stands, as problems name it: `roles[2]`. */
  where: string;
  index: number;
  /** Names `problem` unless `ok`, and then leaves the entry out. */
  check(ok: boolean, problem: string): void;
  /** The entry's `key`, which it may leave out but must otherwise give as a string. */
  optionalString(key: string): string | undefined;
};

/**
 * Reads each entry of a list that is a mapping with `read`, and keeps what it answers unless a
 * check failed or it answered undefined; names the entries that are not mappings.
 */
function readEntries<T>(
  list: unknown[],
  key: string,
  problems: string[],
  read: (
    entry: Record<string, unknown>,
    context: EntryContext,
  ) => T | undefined,
): T[] {
  const items: T[] = [];
  list.forEach((entry, index) => {
    const where = `${key}[${index}]`;
    if (!isRecord(entry)) {
      problems.push(`${where} must be a mapping`);
      return;
    }
    let valid = true;
    const check = (ok: boolean, problem: string) => {
      if (ok) return;
      problems.push(problem);
      valid = false;
    };
    const optionalString = (field: string) => {
      const value = entry[field];
      check(
        value === undefined || typeof value === 'string',
        `${where}.${field} must be a string`,
      );
      return typeof value === 'string' ? value : undefined;
    };
    const item = read(entry, { where, index, check, optionalString });
    if (valid && item !== undefined) items.push(item);
  });
  return items;
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
  return readEntries(
    document.users,
    'users',
    problems,
    (entry, { where, index }) => {
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
      if (!id || !email || !name || password === undefined) return undefined;
      return {
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
      };
    },
  );
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
