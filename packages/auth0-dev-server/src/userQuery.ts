import {
  databaseConnection,
  userProfile,
  valueAtPath,
  type Person,
} from './directory.ts';

/**
 * The part of Auth0's user search (search engine v3, Lucene query syntax) the dev server
 * understands, for `GET /api/v2/users?q=...`:
 *
 *   field:value  field:"a phrase"  field:prefix*  field:a?c  field:[from TO to]  field:{a TO b}
 *   _exists_:field  AND  OR  NOT  -term  ( ... )
 *
 * Terms side by side without an operator are OR'ed, as Lucene does. Text compares without
 * regard to letter case. Fields are the user's (`email`, `name`, `user_id`, `blocked`,
 * `logins_count`, `created_at`, ...) and nested ones such as `identities.connection`.
 * Anything else (a bare word without a field, fuzzy `~`, boosts `^`) is refused with 400,
 * so a query that would mean something else at Auth0 never silently matches everyone.
 */
export type UserMatcher = (person: Person) => boolean;

export class UserQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserQueryError';
  }
}

type Token =
  | { kind: 'open' | 'close' | 'and' | 'or' | 'not' }
  | { kind: 'term'; field: string; value: TermValue };

type TermValue =
  | { kind: 'exact'; text: string }
  | { kind: 'pattern'; text: string; regex: RegExp }
  | {
      kind: 'range';
      from: string;
      to: string;
      includeFrom: boolean;
      includeTo: boolean;
    };

type Node =
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'not'; operand: Node }
  | { kind: 'term'; field: string; value: TermValue };

export function parseUserQuery(query: string): UserMatcher {
  const tokens = tokenize(query);
  if (tokens.length === 0) return () => true;
  let position = 0;
  const peek = () => tokens[position];
  const take = () => tokens[position++];

  function parseOr(): Node {
    let left = parseAnd();
    for (;;) {
      const next = peek();
      if (next?.kind === 'or') {
        take();
        left = { kind: 'or', left, right: parseAnd() };
      } else if (next && next.kind !== 'close') {
        // Lucene's default operator between terms: OR.
        left = { kind: 'or', left, right: parseAnd() };
      } else {
        return left;
      }
    }
  }
  function parseAnd(): Node {
    let left = parseUnary();
    while (peek()?.kind === 'and') {
      take();
      left = { kind: 'and', left, right: parseUnary() };
    }
    return left;
  }
  function parseUnary(): Node {
    const token = take();
    if (!token) throw new UserQueryError('the query ends where a term belongs');
    if (token.kind === 'not') return { kind: 'not', operand: parseUnary() };
    if (token.kind === 'open') {
      const inner = parseOr();
      if (take()?.kind !== 'close') {
        throw new UserQueryError('a "(" is not closed');
      }
      return inner;
    }
    if (token.kind === 'term') return token;
    throw new UserQueryError(`"${token.kind.toUpperCase()}" is out of place`);
  }

  const tree = parseOr();
  if (position < tokens.length) {
    throw new UserQueryError('a ")" has no "(" before it');
  }
  return person => evaluate(tree, person);
}

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  const isSpace = (char: string) => /\s/.test(char);
  while (index < query.length) {
    const char = query[index];
    if (isSpace(char)) {
      index += 1;
      continue;
    }
    if (char === '(' || char === ')') {
      tokens.push({ kind: char === '(' ? 'open' : 'close' });
      index += 1;
      continue;
    }
    if (query.startsWith('&&', index) || query.startsWith('||', index)) {
      tokens.push({ kind: char === '&' ? 'and' : 'or' });
      index += 2;
      continue;
    }
    if (char === '-' || char === '!') {
      tokens.push({ kind: 'not' });
      index += 1;
      continue;
    }
    if (char === '+') {
      index += 1;
      continue;
    }
    const word = /^[^\s():"[\]{}]+/.exec(query.slice(index))?.[0] ?? '';
    if (word === 'AND' || word === 'OR' || word === 'NOT') {
      tokens.push({ kind: word.toLowerCase() as 'and' | 'or' | 'not' });
      index += word.length;
      continue;
    }
    if (!word || query[index + word.length] !== ':') {
      throw new UserQueryError(
        `"${
          word || char
        }" has no field: the dev server searches field:value terms only (for example email:"jane@example.com")`,
      );
    }
    index += word.length + 1;
    const { value, end } = readValue(query, index);
    index = end;
    tokens.push({ kind: 'term', field: word, value });
  }
  return tokens;
}

function readValue(
  query: string,
  start: number,
): { value: TermValue; end: number } {
  const char = query[start];
  if (char === '"') {
    let text = '';
    let index = start + 1;
    while (index < query.length && query[index] !== '"') {
      if (query[index] === '\\' && index + 1 < query.length) index += 1;
      text += query[index];
      index += 1;
    }
    if (index >= query.length) {
      throw new UserQueryError('a quoted value is not closed');
    }
    return { value: { kind: 'exact', text }, end: index + 1 };
  }
  if (char === '[' || char === '{') {
    const close = query.slice(start).search(/[\]}]/);
    if (close < 0) throw new UserQueryError('a range is not closed');
    const inner = query.slice(start + 1, start + close).trim();
    const parts = /^(\S+)\s+TO\s+(\S+)$/.exec(inner);
    if (!parts) {
      throw new UserQueryError(
        `the range "${query.slice(
          start,
          start + close + 1,
        )}" is not [from TO to]`,
      );
    }
    return {
      value: {
        kind: 'range',
        from: unquote(parts[1]),
        to: unquote(parts[2]),
        includeFrom: char === '[',
        includeTo: query[start + close] === ']',
      },
      end: start + close + 1,
    };
  }
  const word = /^[^\s()"]+/.exec(query.slice(start))?.[0];
  if (!word) throw new UserQueryError('a field has no value after ":"');
  if (/[~^]/.test(word)) {
    throw new UserQueryError(
      `"${word}": fuzzy (~) and boosted (^) terms are not supported by the dev server`,
    );
  }
  const text = word.replace(/\\(.)/g, '$1');
  return {
    value: /[*?]/.test(word)
      ? { kind: 'pattern', text, regex: wildcardRegex(text) }
      : { kind: 'exact', text },
    end: start + word.length,
  };
}

function wildcardRegex(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .toLowerCase()
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    's',
  );
}

function compareText(left: string, right: string): number {
  if (left === right) return 0;
  return left < right ? -1 : 1;
}

function unquote(text: string): string {
  return text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
}

function evaluate(node: Node, person: Person): boolean {
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, person) && evaluate(node.right, person);
    case 'or':
      return evaluate(node.left, person) || evaluate(node.right, person);
    case 'not':
      return !evaluate(node.operand, person);
    default: {
      if (node.field === '_exists_') {
        const field =
          node.value.kind === 'range' ? '' : node.value.text.toLowerCase();
        return fieldValues(person, field).length > 0;
      }
      return fieldValues(person, node.field).some(value =>
        matches(value, node.value),
      );
    }
  }
}

/** The values a field has for a person; the common fields without building the profile. */
function fieldValues(person: Person, field: string): unknown[] {
  let value: unknown;
  switch (field) {
    case 'user_id':
      value = person.sub;
      break;
    case 'email':
      value = person.email;
      break;
    case 'name':
      value = person.name;
      break;
    case 'nickname':
      value = person.nickname;
      break;
    case 'email_verified':
      value = person.emailVerified;
      break;
    case 'blocked':
      value = person.blocked ? true : undefined;
      break;
    case 'identities.connection':
      value = databaseConnection.name;
      break;
    case 'identities.provider':
      value = 'auth0';
      break;
    case 'identities.user_id':
      value = person.id;
      break;
    case 'created_at':
      value = person.createdAt;
      break;
    case 'updated_at':
      value = person.updatedAt;
      break;
    case 'last_login':
      value = person.lastLogin;
      break;
    case 'logins_count':
      value = person.loginsCount;
      break;
    default:
      value = valueAtPath(userProfile(person, ''), field);
  }
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function matches(value: unknown, wanted: TermValue): boolean {
  const text = String(value).toLowerCase();
  switch (wanted.kind) {
    case 'exact':
      return text === wanted.text.toLowerCase();
    case 'pattern':
      return wanted.regex.test(text);
    default: {
      const compare = (bound: string) => {
        if (typeof value === 'number' && !Number.isNaN(Number(bound))) {
          return value - Number(bound);
        }
        return compareText(text, bound.toLowerCase());
      };
      const aboveFrom =
        wanted.from === '*' ||
        (wanted.includeFrom
          ? compare(wanted.from) >= 0
          : compare(wanted.from) > 0);
      const belowTo =
        wanted.to === '*' ||
        (wanted.includeTo ? compare(wanted.to) <= 0 : compare(wanted.to) < 0);
      return aboveFrom && belowTo;
    }
  }
}
