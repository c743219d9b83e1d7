import { createHash } from 'node:crypto';
import { normalizeAuth0EntityName } from '@backstage-auth0/plugin-auth0-common';

/** The catalog's longest entity name. */
const MAX_NAME_LENGTH = 63;

/** Hex digits of the suffix that tells apart two entities with one name, at first. */
const SUFFIX_LENGTH = 8;
const MAX_SUFFIX_LENGTH = 32;

/** The first hex digits of the SHA-256 of an Auth0 id. */
export function idHash(id: string, length: number): string {
  return createHash('sha256').update(id).digest('hex').slice(0, length);
}

/** One Auth0 object that needs an entity name. */
export type NameRequest = {
  /** The Auth0 id (`user_id`, role id, organization id). */
  id: string;
  /** The normalized name it would like; empty when its text had nothing usable. */
  base: string;
  /** Who keeps the base name when several want it: the lowest sorts first. */
  priority: string;
};

/** Several Auth0 objects that wanted one name, and what each got. */
export type NameCollision = {
  base: string;
  keptBy: string;
  renamed: Array<{ id: string; name: string }>;
};

/**
 * Gives every request a distinct entity name. Of the requests that want one base name, the one
 * with the lowest priority (then the lowest id) keeps it; each other one gets the base name with
 * `-` and the first 8 hex digits of the SHA-256 of its id (more digits in the unlikely case that
 * this name is taken too), shortened so the name stays within 63 characters. A request whose base
 * is empty always gets `<fallback>-<hash>`. The result depends only on the requests, not on
 * their order.
 */
export function assignEntityNames(
  requests: NameRequest[],
  fallback: string,
): { names: Map<string, string>; collisions: NameCollision[] } {
  const sorted = [...requests].sort(
    (a, b) => compare(a.priority, b.priority) || compare(a.id, b.id),
  );
  const byBase = new Map<string, NameRequest[]>();
  for (const request of sorted) {
    const wanting = byBase.get(request.base) ?? [];
    wanting.push(request);
    byBase.set(request.base, wanting);
  }

  const names = new Map<string, string>();
  const taken = new Set<string>();
  const needSuffix: Array<{ request: NameRequest; base: string }> = [];
  for (const [base, wanting] of byBase) {
    if (base === '') {
      needSuffix.push(...wanting.map(request => ({ request, base: fallback })));
      continue;
    }
    names.set(wanting[0].id, base);
    taken.add(base);
    needSuffix.push(...wanting.slice(1).map(request => ({ request, base })));
  }

  const renamedByBase = new Map<string, Array<{ id: string; name: string }>>();
  for (const { request, base } of needSuffix) {
    const name = suffixedName(base, request.id, taken);
    names.set(request.id, name);
    taken.add(name);
    if (request.base !== '') {
      const renamed = renamedByBase.get(base) ?? [];
      renamed.push({ id: request.id, name });
      renamedByBase.set(base, renamed);
    }
  }

  const collisions = [...renamedByBase].map(([base, renamed]) => ({
    base,
    keptBy: byBase.get(base)![0].id,
    renamed,
  }));
  return { names, collisions };
}

function suffixedName(base: string, id: string, taken: Set<string>): string {
  for (let length = SUFFIX_LENGTH; length <= MAX_SUFFIX_LENGTH; length += 4) {
    const suffix = idHash(id, length);
    // Shortening may leave a '.', '_' or '-' at the end, which normalizing again drops.
    const name = `${normalizeAuth0EntityName(
      base.slice(0, MAX_NAME_LENGTH - suffix.length - 1),
    )}-${suffix}`;
    if (!taken.has(name)) {
      return name;
    }
  }
  // Only two ids with one SHA-256 could get here.
  throw new Error(`No free entity name for ${id} based on ${base}`);
}

function compare(a: string, b: string): number {
  if (a < b) return -1;
  return a > b ? 1 : 0;
}
