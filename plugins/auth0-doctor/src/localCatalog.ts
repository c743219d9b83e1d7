import type { EntityFilterQuery } from '@backstage/catalog-client';
import {
  DEFAULT_NAMESPACE,
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { ConflictError, NotFoundError } from '@backstage/errors';
import type {
  AuthResolverCatalogUserQuery,
  AuthResolverContext,
} from '@backstage/plugin-auth-node';

type FilterRecord = Exclude<EntityFilterQuery, unknown[]>;
type FlatEntity = Map<string, Set<string>>;

/**
 * The catalog's User entities, read once from the backend, answering the lookups that sign-in
 * resolvers make (through `CatalogService.getEntities` and an `AuthResolverContext`) the way
 * the catalog and the auth backend answer them, so that the Auth0 module's own resolvers can
 * be asked about every Auth0 user without a request per user.
 *
 * Filters match as the catalog's search table does: keys and values compared after
 * `toLocaleLowerCase('en-US')`, a list of values matching any of them, `CATALOG_FILTER_EXISTS`
 * matching any value, several records matching any one of them.
 */
export class LocalCatalog {
  #entities: Entity[] = [];
  #byRef = new Map<string, Entity>();
  #flat = new Map<Entity, FlatEntity>();
  /** By filter key, then value: built at the first lookup on that key. */
  #indexes = new Map<string, Map<string, Entity[]>>();

  /** Replaces the entities it answers from. */
  replace(entities: Entity[]) {
    this.#entities = entities;
    // Entity refs compare without regard to case, as in the catalog.
    this.#byRef = new Map(
      entities.map(entity => [lower(stringifyEntityRef(entity)), entity]),
    );
    this.#flat = new Map(entities.map(entity => [entity, flatten(entity)]));
    this.#indexes.clear();
  }

  get size(): number {
    return this.#entities.length;
  }

  /** As `CatalogService.getEntities` answers a `filter`; the one part of it resolvers use. */
  async getEntities(
    request: { filter?: EntityFilterQuery } | undefined,
  ): Promise<{ items: Entity[] }> {
    const filter = request?.filter;
    if (!filter) {
      return { items: [...this.#entities] };
    }
    const records = [filter].flat() as FilterRecord[];
    const found = new Set<Entity>();
    for (const record of records) {
      for (const entity of this.#candidates(record)) {
        if (this.#matches(entity, record)) found.add(entity);
      }
    }
    return { items: this.#entities.filter(entity => found.has(entity)) };
  }

  /** The User entities that have this email in `spec.profile.email`, as the catalog matches it. */
  async usersWithEmail(email: string): Promise<Entity[]> {
    const { items } = await this.getEntities({
      filter: { kind: 'User', 'spec.profile.email': email },
    });
    return items;
  }

  /**
   * A resolver context over these entities, as the auth backend gives one to sign-in
   * resolvers: lookups by ref, annotations or filter, `NotFoundError` for no user and
   * `ConflictError` for several; "signing in" returns an empty token.
   */
  resolverContext(): AuthResolverContext {
    const findCatalogUser = async (query: AuthResolverCatalogUserQuery) => {
      let found: Entity[];
      if ('entityRef' in query) {
        const ref = stringifyEntityRef(
          parseEntityRef(query.entityRef, {
            defaultKind: 'User',
            defaultNamespace: DEFAULT_NAMESPACE,
          }),
        );
        const entity = this.#byRef.get(lower(ref));
        found = entity ? [entity] : [];
      } else if ('annotations' in query) {
        const filter: FilterRecord = { kind: 'user' };
        for (const [key, value] of Object.entries(query.annotations)) {
          filter[`metadata.annotations.${key}`] = value;
        }
        found = (await this.getEntities({ filter })).items;
      } else {
        const filter = ([query.filter].flat() as FilterRecord[]).map(record =>
          Object.keys(record).some(key => key.toLowerCase() === 'kind')
            ? record
            : { ...record, kind: 'user' },
        );
        found = (await this.getEntities({ filter })).items;
      }
      if (found.length > 1) {
        throw new ConflictError('User lookup resulted in multiple matches');
      }
      if (found.length === 0) {
        throw new NotFoundError('User not found');
      }
      return { entity: found[0] };
    };
    const context: AuthResolverContext = {
      async issueToken() {
        return { token: '' };
      },
      findCatalogUser,
      async signInWithCatalogUser(query, options) {
        try {
          await findCatalogUser(query);
        } catch (error) {
          if (
            (error as Error).name !== 'NotFoundError' ||
            !options?.dangerousEntityRefFallback
          ) {
            throw error;
          }
        }
        return { token: '' };
      },
      async resolveOwnershipEntityRefs(entity) {
        return { ownershipEntityRefs: [stringifyEntityRef(entity)] };
      },
    };
    return context;
  }

  /** The entities that can match: those with the record's first plain value, else all. */
  #candidates(record: FilterRecord): Entity[] {
    const indexed = Object.entries(record).find(
      ([, value]) => typeof value === 'string',
    );
    if (!indexed) {
      return this.#entities;
    }
    const [key, value] = indexed as [string, string];
    return this.#index(lower(key)).get(lower(value)) ?? [];
  }

  #index(key: string): Map<string, Entity[]> {
    let index = this.#indexes.get(key);
    if (!index) {
      index = new Map();
      for (const entity of this.#entities) {
        for (const value of this.#flat.get(entity)?.get(key) ?? []) {
          const list = index.get(value) ?? [];
          list.push(entity);
          index.set(value, list);
        }
      }
      this.#indexes.set(key, index);
    }
    return index;
  }

  #matches(entity: Entity, record: FilterRecord): boolean {
    const flat = this.#flat.get(entity)!;
    return Object.entries(record).every(([key, wanted]) => {
      const values = flat.get(lower(key));
      if (!values) {
        return false;
      }
      return [wanted]
        .flat()
        .some(value =>
          typeof value === 'symbol' ? true : values.has(lower(value)),
        );
    });
  }
}

function lower(text: string): string {
  return text.toLocaleLowerCase('en-US');
}

/** The entity as the catalog's search table keeps it: dotted keys to their values. */
function flatten(entity: Entity): FlatEntity {
  const flat: FlatEntity = new Map();
  const visit = (value: unknown, key: string) => {
    if (value === null || value === undefined) {
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) visit(item, key);
      return;
    }
    if (typeof value === 'object') {
      for (const [child, inner] of Object.entries(value)) {
        visit(inner, key ? `${key}.${child}` : child);
      }
      return;
    }
    const values = flat.get(lower(key)) ?? new Set<string>();
    values.add(lower(String(value)));
    flat.set(lower(key), values);
  };
  visit(entity, '');
  return flat;
}
