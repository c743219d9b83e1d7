import type { Person } from './directory.ts';

/**
 * Generated people for scale tests: the Management API serves them beside the fixture users
 * (they cannot sign in). Person `index` of a seed is always the same person, whatever the
 * count, so a test that asks for 1,500 and one that asks for 100,000 agree on the first
 * 1,500. Each is made from a small pseudo-random generator seeded by (seed, index), so
 * making 100,000 takes a few tens of milliseconds.
 */
export type SyntheticUsersSpec = { count: number; seed: number };

/** Roles and organizations the synthetic people are given, with the share of them in each. */
export type SyntheticMemberships = {
  roles: Array<{ id: string; share: number }>;
  organizations: Array<{ id: string; share: number }>;
};

const firstNames = [
  'Avery',
  'Blair',
  'Casey',
  'Devon',
  'Emery',
  'Finley',
  'Gray',
  'Harper',
  'Indigo',
  'Jules',
  'Kai',
  'Logan',
  'Morgan',
  'Noa',
  'Oakley',
  'Parker',
  'Quinn',
  'Reese',
  'Sage',
  'Taylor',
  'Umi',
  'Val',
  'Wren',
  'Yael',
  'Zion',
  'Ana',
  'Bo',
  'Chen',
  'Dara',
  'Eli',
  'Farah',
  'Goran',
];
const lastNames = [
  'Nakamura',
  'Okafor',
  'Lindqvist',
  'Moreau',
  'Haddad',
  'Kowalski',
  'Silva',
  'Novak',
  'Mbeki',
  'Petrov',
  'Rossi',
  'Tanaka',
  'Ibrahim',
  'Jensen',
  'Kaur',
  "O'Neill",
  'Schmidt',
  'Dubois',
  'Fernández',
  'Yilmaz',
  'Nguyen',
  'Larsen',
  'Costa',
  'Ahmed',
  'Varga',
  'Byrne',
  'Sato',
  'Mendes',
  'Walsh',
  'Kim',
];

/** Milliseconds: synthetic people signed up one a minute from this instant on. */
const firstSignUp = Date.parse('2025-01-01T00:00:00.000Z');
const minute = 60_000;
const day = 24 * 60 * minute;

export function syntheticUserId(seed: number, index: number): string {
  // 24 hex digits, like the ids Auth0's database connections give their users.
  return `${seed.toString(16).padStart(8, '0')}${index
    .toString(16)
    .padStart(16, '0')}`;
}

export function generateSyntheticUsers(
  spec: SyntheticUsersSpec,
  memberships: SyntheticMemberships,
): Person[] {
  const people: Person[] = new Array(spec.count);
  for (let index = 0; index < spec.count; index += 1) {
    people[index] = syntheticUser(spec.seed, index, memberships);
  }
  return people;
}

const noIds: readonly string[] = Object.freeze([]);

/**
 * One synthetic person: the generator's draws are kept as numbers and the strings are
 * made when read, so 100,000 of them stay small.
 */
class SyntheticPerson implements Person {
  readonly id: string;
  readonly emailVerified: boolean;
  readonly blocked: boolean;
  readonly loginsCount: number;
  readonly roles: readonly string[];
  readonly organizations: readonly string[];
  readonly #index: number;
  readonly #first: number;
  readonly #last: number;
  readonly #lastLoginOffset: number;

  constructor(seed: number, index: number, memberships: SyntheticMemberships) {
    const random = mulberry32(mix(seed, index));
    this.#index = index;
    this.#first = Math.floor(random() * firstNames.length);
    this.#last = Math.floor(random() * lastNames.length);
    this.id = syntheticUserId(seed, index);
    this.loginsCount = random() < 0.1 ? 0 : 1 + Math.floor(random() * 200);
    this.#lastLoginOffset =
      this.loginsCount === 0 ? -1 : Math.floor(random() * 300 * day);
    this.emailVerified = random() >= 0.03;
    this.blocked = random() < 0.02;
    this.roles = pick(memberships.roles, random);
    this.organizations = pick(memberships.organizations, random);
  }

  get sub() {
    return `auth0|${this.id}`;
  }
  get givenName() {
    return firstNames[this.#first];
  }
  get familyName() {
    return lastNames[this.#last];
  }
  get name() {
    return `${this.givenName} ${this.familyName}`;
  }
  get nickname() {
    return `${ascii(this.givenName)}.${ascii(this.familyName)}.${String(
      this.#index + 1,
    ).padStart(6, '0')}`;
  }
  get email() {
    return `${this.nickname}@synthetic.example`;
  }
  get createdAt() {
    return new Date(firstSignUp + this.#index * minute).toISOString();
  }
  get lastLogin() {
    return this.#lastLoginOffset < 0
      ? undefined
      : new Date(
          firstSignUp + this.#index * minute + this.#lastLoginOffset,
        ).toISOString();
  }
  get updatedAt() {
    return this.lastLogin ?? this.createdAt;
  }
}

function syntheticUser(
  seed: number,
  index: number,
  memberships: SyntheticMemberships,
): Person {
  return new SyntheticPerson(seed, index, memberships);
}

function pick(
  choices: Array<{ id: string; share: number }>,
  random: () => number,
): readonly string[] {
  let picked: string[] | undefined;
  for (const choice of choices) {
    if (random() < choice.share) (picked ??= []).push(choice.id);
  }
  return picked ?? noIds;
}

/** Letters a to z only, for the email: Fernández → fernandez, O'Neill → oneill. */
const asciiNames = new Map<string, string>();
function ascii(name: string): string {
  let plain = asciiNames.get(name);
  if (plain === undefined) {
    plain = name
      .normalize('NFD')
      .replace(/[^A-Za-z]/g, '')
      .toLowerCase();
    asciiNames.set(name, plain);
  }
  return plain;
}

function mix(seed: number, index: number): number {
  let hash = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ index;
  hash = Math.imul(hash ^ (hash >>> 16), 0x7feb352d);
  hash = Math.imul(hash ^ (hash >>> 15), 0x846ca68b);
  return (hash ^ (hash >>> 16)) >>> 0;
}

/** A small, fast, well-mixed 32-bit generator: plenty for made-up people. */
function mulberry32(state: number): () => number {
  let value = state;
  return () => {
    value = (value + 0x6d2b79f5) >>> 0;
    let t = value;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
