import { mockServices } from '@backstage/backend-test-utils';
import { Entity, GroupEntity, UserEntity } from '@backstage/catalog-model';
import { buildEntities, TransformerError } from './buildEntities';
import { idHash } from './entityNames';
import { TenantSnapshot } from './readTenant';
import {
  Auth0GroupTransformer,
  Auth0User,
  Auth0UserTransformer,
  defaultAuth0GroupTransformer,
  defaultAuth0UserTransformer,
} from './transformers';

const chris: Auth0User = {
  user_id: 'auth0|chris',
  email: 'chris@example.com',
  email_verified: true,
  name: 'Chris House',
  picture: 'https://example.com/chris.png',
  created_at: '2023-01-01T00:00:00.000Z',
};
const alex: Auth0User = {
  user_id: 'auth0|alex',
  email: 'alex@example.com',
  email_verified: true,
  name: 'Alex Moreno',
  created_at: '2023-02-01T00:00:00.000Z',
};
const alexUpper: Auth0User = {
  user_id: 'auth0|alex-upper',
  email: 'Alex@Example.com',
  email_verified: true,
  created_at: '2024-06-01T00:00:00.000Z',
};

function snapshot(overrides: Partial<TenantSnapshot> = {}): TenantSnapshot {
  return {
    users: [chris, alex],
    groups: [
      {
        group: {
          type: 'role',
          role: {
            id: 'rol_platform',
            name: 'Platform Team',
            description: 'Runs the platform',
          },
        },
        memberIds: ['auth0|chris', 'auth0|alex', 'auth0|gone'],
      },
      {
        group: {
          type: 'organization',
          organization: {
            id: 'org_examplecorp',
            name: 'example-corp',
            display_name: 'Example Corp',
            branding: { logo_url: 'https://example.com/logo.png' },
          },
        },
        memberIds: ['auth0|chris'],
      },
    ],
    skipped: { noEmail: 0, blocked: 0, unverified: 0, otherConnection: 0 },
    ...overrides,
  };
}

function build(
  data: TenantSnapshot,
  transformers: {
    user?: Auth0UserTransformer;
    group?: Auth0GroupTransformer;
  } = {},
) {
  const logger = mockServices.logger.mock();
  const entities = buildEntities(data, {
    providerId: 'production',
    userTransformer: transformers.user ?? defaultAuth0UserTransformer,
    groupTransformer: transformers.group ?? defaultAuth0GroupTransformer,
    logger,
  });
  return { entities, logger };
}

const byName = (entities: Entity[]) =>
  Object.fromEntries(
    entities.map(entity => [`${entity.kind}:${entity.metadata.name}`, entity]),
  );

describe('buildEntities', () => {
  it('makes Users and Groups with annotations, profiles, locations and memberships both ways', async () => {
    const entities = await build(snapshot()).entities;
    expect(entities.map(e => `${e.kind}:${e.metadata.name}`)).toEqual([
      'User:alex',
      'User:chris',
      'Group:example-corp',
      'Group:platform-team',
    ]);
    const named = byName(entities);
    expect(named['User:chris']).toEqual({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: {
        name: 'chris',
        annotations: {
          'auth0.com/user-id': 'auth0|chris',
          'backstage.io/managed-by-location': 'auth0:production/auth0%7Cchris',
          'backstage.io/managed-by-origin-location':
            'auth0:production/auth0%7Cchris',
        },
      },
      spec: {
        profile: {
          email: 'chris@example.com',
          displayName: 'Chris House',
          picture: 'https://example.com/chris.png',
        },
        memberOf: ['group:default/example-corp', 'group:default/platform-team'],
      },
    });
    expect(named['User:alex'].spec).toMatchObject({
      memberOf: ['group:default/platform-team'],
    });
    expect(named['Group:platform-team']).toEqual({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: {
        name: 'platform-team',
        description: 'Runs the platform',
        annotations: {
          'auth0.com/role-id': 'rol_platform',
          'backstage.io/managed-by-location': 'auth0:production/rol_platform',
          'backstage.io/managed-by-origin-location':
            'auth0:production/rol_platform',
        },
      },
      spec: {
        type: 'role',
        profile: { displayName: 'Platform Team' },
        children: [],
        members: ['user:default/alex', 'user:default/chris'],
      },
    });
    expect(named['Group:example-corp']).toMatchObject({
      metadata: {
        annotations: { 'auth0.com/organization-id': 'org_examplecorp' },
      },
      spec: {
        type: 'organization',
        profile: {
          displayName: 'Example Corp',
          picture: 'https://example.com/logo.png',
        },
        children: [],
        members: ['user:default/chris'],
      },
    });
  });

  it('tells apart users whose emails give one name, the earliest created keeping it, and logs it', async () => {
    const { entities, logger } = build(
      snapshot({ users: [alexUpper, chris, alex] }),
    );
    const names = (await entities)
      .filter(e => e.kind === 'User')
      .map(e => [
        e.metadata.name,
        e.metadata.annotations!['auth0.com/user-id'],
      ]);
    const suffixed = `alex-${idHash('auth0|alex-upper', 8)}`;
    expect(names).toEqual([
      ['alex', 'auth0|alex'],
      [suffixed, 'auth0|alex-upper'],
      ['chris', 'auth0|chris'],
    ]);
    expect(logger.warn).toHaveBeenCalledWith(
      `Several Auth0 objects map to the entity name alex: alex@example.com (auth0|alex, created 2023-02-01T00:00:00.000Z) keeps it (created first, or lowest id); Alex@Example.com (auth0|alex-upper, created 2024-06-01T00:00:00.000Z) is ${suffixed}`,
    );
  });

  it('tells apart a role and an organization with one name, the organization keeping it', async () => {
    const entities = await build(
      snapshot({
        groups: [
          {
            group: {
              type: 'role',
              role: { id: 'rol_x', name: 'Example Corp' },
            },
            memberIds: ['auth0|alex'],
          },
          {
            group: {
              type: 'organization',
              organization: { id: 'org_x', name: 'example-corp' },
            },
            memberIds: ['auth0|chris'],
          },
        ],
      }),
    ).entities;
    const named = byName(entities);
    expect(named['Group:example-corp'].spec).toMatchObject({
      type: 'organization',
    });
    const role = named[`Group:example-corp-${idHash('rol_x', 8)}`];
    expect(role.spec).toMatchObject({ type: 'role' });
    expect(named['User:alex'].spec).toMatchObject({
      memberOf: [`group:default/example-corp-${idHash('rol_x', 8)}`],
    });
  });

  it('lets transformers rename, leave out and enrich, with memberships following', async () => {
    const user: Auth0UserTransformer = async (auth0User, context) => {
      if (
        auth0User.email.endsWith('@example.com') &&
        auth0User.name === 'Alex Moreno'
      ) {
        return undefined;
      }
      const entity = await defaultAuth0UserTransformer(auth0User, context);
      entity!.metadata.name = `auth0-${context.entityName}`;
      entity!.metadata.namespace = 'people';
      entity!.spec.memberOf = ['group:default/everyone'];
      return entity;
    };
    const group: Auth0GroupTransformer = async (auth0Group, context) => {
      if (auth0Group.type === 'organization') {
        return undefined;
      }
      const entity = await defaultAuth0GroupTransformer(auth0Group, context);
      entity!.metadata.name = `role-${context.entityName}`;
      entity!.metadata.annotations!['backstage.io/managed-by-location'] =
        'url:https://example.com/roles';
      return entity;
    };
    const entities = await build(snapshot(), { user, group }).entities;
    expect(
      entities.map(
        e =>
          `${e.kind}:${e.metadata.namespace ?? 'default'}/${e.metadata.name}`,
      ),
    ).toEqual(['User:people/auth0-chris', 'Group:default/role-platform-team']);
    const [chrisEntity, roleEntity] = entities as [UserEntity, GroupEntity];
    expect(chrisEntity.spec.memberOf).toEqual([
      'group:default/everyone',
      'group:default/role-platform-team',
    ]);
    expect(roleEntity.spec.members).toEqual(['user:people/auth0-chris']);
    expect(roleEntity.metadata.annotations).toMatchObject({
      'backstage.io/managed-by-location': 'url:https://example.com/roles',
      'backstage.io/managed-by-origin-location':
        'auth0:production/rol_platform',
    });
  });

  it('leaves out, and logs, an entity that a transformer named like another', async () => {
    const { entities, logger } = build(snapshot(), {
      user: async (auth0User, context) => {
        const entity = await defaultAuth0UserTransformer(auth0User, context);
        entity!.metadata.name = 'Everyone';
        return entity;
      },
    });
    const users = (await entities).filter(e => e.kind === 'User');
    expect(
      users.map(u => u.metadata.annotations!['auth0.com/user-id']),
    ).toEqual(['auth0|alex']);
    expect(logger.warn).toHaveBeenCalledWith(
      'Auth0 auth0|chris and auth0|alex both became user:default/everyone after the transformer; auth0|chris is left out. Give them distinct names in the transformer.',
    );
  });

  it('fails when a transformer throws, naming the Auth0 object', async () => {
    await expect(
      build(snapshot(), {
        group: async () => {
          throw new Error('no lookup table');
        },
      }).entities,
    ).rejects.toThrow(TransformerError);
    await expect(
      build(snapshot(), {
        group: async () => {
          throw new Error('no lookup table');
        },
      }).entities,
    ).rejects.toThrow(
      'The transformer for Auth0 organization org_examplecorp failed: no lookup table',
    );
  });
});
