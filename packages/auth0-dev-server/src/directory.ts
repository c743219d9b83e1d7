import type {
  FixtureOrganization,
  FixtureRole,
  FixtureUsers,
} from './fixtureUsers.ts';
import {
  generateSyntheticUsers,
  type SyntheticUsersSpec,
} from './syntheticUsers.ts';

/**
 * Everyone the Management API knows: the fixture users (who can also sign in) and the
 * synthetic ones (who cannot), with their roles and organizations.
 */
export type Person = {
  /** The id within the connection: `auth0|<id>` is the user_id. */
  id: string;
  sub: string;
  email: string;
  emailVerified: boolean;
  name: string;
  givenName?: string;
  familyName?: string;
  nickname: string;
  /** Absent when the dev server draws the avatar. */
  picture?: string;
  blocked: boolean;
  createdAt: string;
  updatedAt: string;
  lastLogin?: string;
  loginsCount: number;
  roles: readonly string[];
  organizations: readonly string[];
};

/** Auth0's default database connection, which every fixture and synthetic user is in. */
export const databaseConnection = {
  id: 'con_DevServerDb0001',
  name: 'Username-Password-Authentication',
};

/** How many of the synthetic people get each fixture role and organization, in order. */
const syntheticRoleShares = [0.1, 0.1, 0.05];
const syntheticOrganizationShares = [0.3, 0.1];

export type Directory = {
  /** Fixture users first (file order), then synthetic ones (by index). */
  people(): readonly Person[];
  person(sub: string): Person | undefined;
  /** By the id within the connection (what /avatars/<id>.svg names). */
  personById(id: string): Person | undefined;
  roles: readonly FixtureRole[];
  role(id: string): FixtureRole | undefined;
  roleMembers(roleId: string): readonly Person[];
  organizations: readonly FixtureOrganization[];
  organization(id: string): FixtureOrganization | undefined;
  organizationMembers(organizationId: string): readonly Person[];
  synthetic(): SyntheticUsersSpec;
  /** Replaces the synthetic people (count 0 removes them). */
  setSynthetic(spec: SyntheticUsersSpec): void;
  /** A fixture user signed in: logins_count and last_login follow, as with Auth0. */
  recordSignIn(sub: string, at?: Date): void;
  /** Whether the user is a fixture user (who can sign in), rather than a synthetic one. */
  isFixture(sub: string): boolean;
  /**
   * Replaces a fixture user's roles (ids), as an admin would in the Auth0 Dashboard: the
   * person's `roles` and the roles' members follow. The synthetic people are kept as they are.
   */
  setRoles(sub: string, roleIds: readonly string[]): void;
  /** Every fixture user's roles as in the fixture file again. */
  resetRoles(): void;
};

export function createDirectory(
  fixture: FixtureUsers,
  synthetic: SyntheticUsersSpec = { count: 0, seed: 1 },
): Directory {
  const signIns = new Map<string, { count: number; last: string }>();
  // Fixture users whose roles an admin changed (by sub); the others have the file's.
  const assignedRoles = new Map<string, readonly string[]>();
  const fixturePeople: Person[] = fixture.all.map(user => ({
    id: user.id,
    sub: user.sub,
    email: user.email,
    emailVerified: user.emailVerified,
    name: user.name,
    nickname: user.nickname,
    picture: user.picture,
    blocked: user.blocked,
    createdAt: user.createdAt,
    get updatedAt() {
      return signIns.get(user.sub)?.last ?? user.updatedAt;
    },
    get lastLogin() {
      return signIns.get(user.sub)?.last;
    },
    get loginsCount() {
      return signIns.get(user.sub)?.count ?? 0;
    },
    get roles() {
      return assignedRoles.get(user.sub) ?? user.roles;
    },
    organizations: user.organizations,
  }));
  const fixtureSubs = new Set(fixture.all.map(user => user.sub));

  let spec = synthetic;
  let all: Person[] = [];
  let byId = new Map<string, Person>();
  // A role's members are its fixture members, then its synthetic ones: the synthetic part is
  // kept apart so that a fixture user's role change does not go through them all again.
  let syntheticRoleMembers = new Map<string, Person[]>();
  let roleMembers = new Map<string, Person[]>();
  let organizationMembers = new Map<string, Person[]>();

  const indexRoleMembers = () => {
    roleMembers = new Map(
      fixture.roles.map(role => [
        role.id,
        fixturePeople
          .filter(person => person.roles.includes(role.id))
          .concat(syntheticRoleMembers.get(role.id) ?? []),
      ]),
    );
  };

  const rebuild = () => {
    const generated = generateSyntheticUsers(spec, {
      roles: fixture.roles
        .slice(0, syntheticRoleShares.length)
        .map((role, index) => ({
          id: role.id,
          share: syntheticRoleShares[index],
        })),
      organizations: fixture.organizations
        .slice(0, syntheticOrganizationShares.length)
        .map((organization, index) => ({
          id: organization.id,
          share: syntheticOrganizationShares[index],
        })),
    });
    all = [...fixturePeople, ...generated];
    byId = new Map(all.map(person => [person.id, person]));
    syntheticRoleMembers = new Map(fixture.roles.map(role => [role.id, []]));
    for (const person of generated) {
      for (const role of person.roles) {
        syntheticRoleMembers.get(role)?.push(person);
      }
    }
    indexRoleMembers();
    organizationMembers = new Map(
      fixture.organizations.map(organization => [organization.id, []]),
    );
    for (const person of all) {
      for (const organization of person.organizations) {
        organizationMembers.get(organization)?.push(person);
      }
    }
  };
  rebuild();

  return {
    people: () => all,
    // Every user_id is auth0|<id>: one index serves both lookups.
    person: sub =>
      sub.startsWith('auth0|')
        ? byId.get(sub.slice('auth0|'.length))
        : undefined,
    personById: id => byId.get(id),
    roles: fixture.roles,
    role: id => fixture.roles.find(role => role.id === id),
    roleMembers: roleId => roleMembers.get(roleId) ?? [],
    organizations: fixture.organizations,
    organization: id =>
      fixture.organizations.find(organization => organization.id === id),
    organizationMembers: organizationId =>
      organizationMembers.get(organizationId) ?? [],
    synthetic: () => ({ ...spec }),
    setSynthetic(next) {
      spec = { ...next };
      rebuild();
    },
    recordSignIn(sub, at = new Date()) {
      const previous = signIns.get(sub);
      signIns.set(sub, {
        count: (previous?.count ?? 0) + 1,
        last: at.toISOString(),
      });
    },
    isFixture: sub => fixtureSubs.has(sub),
    setRoles(sub, roleIds) {
      if (!fixtureSubs.has(sub)) {
        throw new Error(`auth0-dev-server: no fixture user ${sub}`);
      }
      assignedRoles.set(sub, [...roleIds]);
      indexRoleMembers();
    },
    resetRoles() {
      if (assignedRoles.size === 0) return;
      assignedRoles.clear();
      indexRoleMembers();
    },
  };
}

/**
 * A user as the Management API returns it (`GET /api/v2/users`, export files). Like Auth0,
 * `blocked` appears only on blocked users, and `last_login` only once the user signed in.
 */
export function userProfile(
  person: Person,
  origin: string,
): Record<string, unknown> {
  const profile: Record<string, unknown> = {
    created_at: person.createdAt,
    email: person.email,
    email_verified: person.emailVerified,
    ...(person.familyName === undefined
      ? {}
      : { family_name: person.familyName }),
    ...(person.givenName === undefined ? {} : { given_name: person.givenName }),
    identities: [
      {
        connection: databaseConnection.name,
        provider: 'auth0',
        user_id: person.id,
        isSocial: false,
      },
    ],
    name: person.name,
    nickname: person.nickname,
    picture: pictureOf(person, origin),
    updated_at: person.updatedAt,
    user_id: person.sub,
  };
  if (person.lastLogin !== undefined) {
    profile.last_login = person.lastLogin;
    profile.last_ip = '127.0.0.1';
  }
  profile.logins_count = person.loginsCount;
  if (person.blocked) profile.blocked = true;
  return profile;
}

export function pictureOf(
  person: Pick<Person, 'id' | 'picture'>,
  origin: string,
): string {
  return (
    person.picture ?? `${origin}/avatars/${encodeURIComponent(person.id)}.svg`
  );
}

/** `{user_id, email, picture, name}`: a role's users and an organization's members. */
export function memberSummary(
  person: Person,
  origin: string,
): Record<string, unknown> {
  return {
    user_id: person.sub,
    email: person.email,
    picture: pictureOf(person, origin),
    name: person.name,
  };
}

/**
 * The value at a field name as Auth0's export and search name them: `email`,
 * `identities[0].connection`, `app_metadata.plan`.
 */
export function valueAtPath(object: unknown, path: string): unknown {
  let value: unknown = object;
  for (const part of path.split(/\.|(?=\[)/)) {
    if (value === undefined || value === null) return undefined;
    const index = /^\[(\d+)\]$/.exec(part);
    if (index) {
      value = Array.isArray(value) ? value[Number(index[1])] : undefined;
    } else if (typeof value === 'object' && !Array.isArray(value)) {
      value = (value as Record<string, unknown>)[part];
    } else if (Array.isArray(value)) {
      // `identities.connection`: Lucene-style, any element's field.
      const values = value
        .map(item =>
          item && typeof item === 'object'
            ? (item as Record<string, unknown>)[part]
            : undefined,
        )
        .filter(item => item !== undefined);
      value = values.length === 0 ? undefined : values;
    } else {
      return undefined;
    }
  }
  return value;
}
