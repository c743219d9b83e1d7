import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

/** One person the stand-in can sign in, as read from the fixture file. */
export type FixtureUser = {
  id: string;
  /** `auth0|<id>`, the way Auth0's database connection names its users. */
  sub: string;
  email: string;
  emailVerified: boolean;
  name: string;
  nickname: string;
  /** Absent when the stand-in draws the avatar itself. */
  picture?: string;
  updatedAt: string;
  password: string;
  /** Why this user is in the fixture; shown on the login page. */
  note?: string;
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
};

const defaultUpdatedAt = '2026-01-01T00:00:00.000Z';

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
  const users = parseUsers(document, problems);
  if (problems.length > 0) {
    throw new Error(
      `auth0-dev-server: the fixture users in ${file} are not valid:\n${problems
        .map(problem => `  - ${problem}`)
        .join('\n')}`,
    );
  }
  return indexUsers(users);
}

function parseUsers(document: unknown, problems: string[]): FixtureUser[] {
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
      password,
      note,
    });
  });
  return users;
}

function indexUsers(users: FixtureUser[]): FixtureUsers {
  return {
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
