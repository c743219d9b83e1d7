import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
  GroupEntity,
  stringifyEntityRef,
  UserEntity,
} from '@backstage/catalog-model';
import { normalizeAuth0EntityName } from '@backstage-auth0/plugin-auth0-common';
import { assignEntityNames, NameCollision } from './entityNames';
import { TenantSnapshot } from './readTenant';
import {
  Auth0Group,
  Auth0GroupTransformer,
  Auth0UserTransformer,
} from './transformers';

/** Sorts after every ISO date: users without `created_at` come last for their name. */
const NO_DATE = '\uffff';

export type BuildEntitiesOptions = {
  providerId: string;
  userTransformer: Auth0UserTransformer;
  groupTransformer: Auth0GroupTransformer;
  logger: LoggerService;
};

/** A transformer threw; the run fails, so that the catalog keeps the last complete set. */
export class TransformerError extends Error {
  name = 'TransformerError';
  constructor(message: string, readonly cause: unknown) {
    super(message);
  }
}

/**
 * The Users and Groups for a snapshot: distinct names, the transformers, memberships both ways
 * (`spec.memberOf` and `spec.members`, following the names the transformers gave) and the
 * location annotations. Users sorted by name, then groups sorted by name.
 */
export async function buildEntities(
  snapshot: TenantSnapshot,
  options: BuildEntitiesOptions,
): Promise<Entity[]> {
  const { providerId, logger } = options;

  const userNames = assignEntityNames(
    snapshot.users.map(user => ({
      id: user.user_id,
      base: normalizeAuth0EntityName(localPart(user.email)),
      priority: user.created_at ?? NO_DATE,
    })),
    'user',
  );
  const usersById = new Map(snapshot.users.map(user => [user.user_id, user]));
  logCollisions(userNames.collisions, logger, id => {
    const user = usersById.get(id)!;
    return `${user.email} (${id}${
      user.created_at ? `, created ${user.created_at}` : ''
    })`;
  });

  const groupId = (group: Auth0Group) =>
    group.type === 'role' ? group.role.id : group.organization.id;
  const groupName = (group: Auth0Group) =>
    group.type === 'role' ? group.role.name : group.organization.name;
  const groupNames = assignEntityNames(
    snapshot.groups.map(({ group }) => ({
      id: groupId(group),
      base: normalizeAuth0EntityName(groupName(group)),
      priority: groupId(group),
    })),
    'group',
  );
  const groupsById = new Map(
    snapshot.groups.map(({ group }) => [groupId(group), group]),
  );
  logCollisions(groupNames.collisions, logger, id => {
    const group = groupsById.get(id)!;
    return `${group.type} ${groupName(group)} (${id})`;
  });

  const users = new Map<string, UserEntity>();
  for (const user of sortBy(
    snapshot.users,
    entry => userNames.names.get(entry.user_id)!,
  )) {
    const entity = await transform(
      () =>
        options.userTransformer(user, {
          providerId,
          entityName: userNames.names.get(user.user_id)!,
        }),
      `user ${user.user_id}`,
    );
    if (entity) {
      users.set(user.user_id, withLocation(entity, providerId, user.user_id));
    }
  }

  const groups = new Map<string, GroupEntity>();
  for (const { group } of sortBy(
    snapshot.groups,
    entry => groupNames.names.get(groupId(entry.group))!,
  )) {
    const id = groupId(group);
    const entity = await transform(
      () =>
        options.groupTransformer(group, {
          providerId,
          entityName: groupNames.names.get(id)!,
        }),
      `${group.type} ${id}`,
    );
    if (entity) {
      groups.set(id, withLocation(entity, providerId, id));
    }
  }

  dropDuplicates(users, logger);
  dropDuplicates(groups, logger);

  const memberOf = new Map<string, Set<string>>();
  for (const { group, memberIds } of snapshot.groups) {
    const groupEntity = groups.get(groupId(group));
    if (!groupEntity) continue;
    const groupRef = stringifyEntityRef(groupEntity);
    const members = new Set(groupEntity.spec.members ?? []);
    for (const userId of memberIds) {
      const userEntity = users.get(userId);
      if (!userEntity) continue;
      members.add(stringifyEntityRef(userEntity));
      const refs = memberOf.get(userId) ?? new Set<string>();
      refs.add(groupRef);
      memberOf.set(userId, refs);
    }
    groupEntity.spec = { ...groupEntity.spec, members: [...members].sort() };
  }
  for (const [userId, userEntity] of users) {
    const refs = new Set([
      ...(userEntity.spec.memberOf ?? []),
      ...(memberOf.get(userId) ?? []),
    ]);
    userEntity.spec = { ...userEntity.spec, memberOf: [...refs].sort() };
  }

  return [...users.values(), ...groups.values()];
}

function localPart(email: string): string {
  const at = email.lastIndexOf('@');
  return at < 0 ? email : email.slice(0, at);
}

function logCollisions(
  collisions: NameCollision[],
  logger: LoggerService,
  describe: (id: string) => string,
) {
  for (const { base, keptBy, renamed } of collisions) {
    logger.warn(
      `Several Auth0 objects map to the entity name ${base}: ${describe(
        keptBy,
      )} keeps it (created first, or lowest id); ${renamed
        .map(({ id, name }) => `${describe(id)} is ${name}`)
        .join('; ')}`,
    );
  }
}

async function transform<T>(
  run: () => Promise<T | undefined>,
  what: string,
): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    throw new TransformerError(
      `The transformer for Auth0 ${what} failed: ${
        error instanceof Error ? error.message : String(error)
      }`,
      error,
    );
  }
}

/** Two entities that transformers gave one ref: the first (by name order) stays, and it is logged. */
function dropDuplicates<T extends Entity>(
  entities: Map<string, T>,
  logger: LoggerService,
) {
  const seen = new Map<string, string>();
  for (const [id, entity] of entities) {
    const ref = stringifyEntityRef(entity).toLocaleLowerCase('en-US');
    const first = seen.get(ref);
    if (first !== undefined) {
      logger.warn(
        `Auth0 ${id} and ${first} both became ${stringifyEntityRef(
          entity,
        )} after the transformer; ${id} is left out. Give them distinct names in the transformer.`,
      );
      entities.delete(id);
    } else {
      seen.set(ref, id);
    }
  }
}

function withLocation<T extends Entity>(
  entity: T,
  providerId: string,
  id: string,
): T {
  const location = `auth0:${providerId}/${encodeURIComponent(id)}`;
  return {
    ...entity,
    metadata: {
      ...entity.metadata,
      annotations: {
        [ANNOTATION_LOCATION]: location,
        [ANNOTATION_ORIGIN_LOCATION]: location,
        ...entity.metadata.annotations,
      },
    },
  };
}

function sortBy<T>(items: T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka < kb) return -1;
    return ka > kb ? 1 : 0;
  });
}
