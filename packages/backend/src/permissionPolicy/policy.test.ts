import type { BackstageUserInfo } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import {
  catalogEntityCreatePermission,
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
  catalogEntityRefreshPermission,
  catalogEntityValidatePermission,
  catalogLocationAnalyzePermission,
  catalogLocationCreatePermission,
  catalogLocationDeletePermission,
  catalogLocationReadPermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizeResult,
  createPermission,
  type Permission,
} from '@backstage/plugin-permission-common';
import {
  actionExecutePermission,
  taskCancelPermission,
  taskCreatePermission,
  taskReadPermission,
  templateManagementPermission,
  templateParameterReadPermission,
  templateStepReadPermission,
} from '@backstage/plugin-scaffolder-common/alpha';
import { Auth0PermissionPolicy } from './policy';

/** Who the fixture people are, as their Backstage tokens say. */
const people: Record<string, BackstageUserInfo> = {
  chris: {
    userEntityRef: 'user:default/chris',
    ownershipEntityRefs: ['user:default/chris', 'group:default/platform-team'],
  },
  sam: {
    userEntityRef: 'user:default/sam',
    ownershipEntityRefs: ['user:default/sam', 'group:default/payments-team'],
  },
  // An admin named as a User.
  riley: {
    userEntityRef: 'user:default/riley',
    ownershipEntityRefs: ['user:default/riley'],
  },
  // A Group as a claim might name it, in other letter case.
  casey: {
    userEntityRef: 'user:default/casey',
    ownershipEntityRefs: ['user:default/casey', 'group:default/Platform-Team'],
  },
};

function setup() {
  const logger = mockServices.logger.mock();
  const userInfo = mockServices.userInfo.mock({
    getUserInfo: async credentials => {
      const ref = (credentials.principal as { userEntityRef: string })
        .userEntityRef;
      return people[ref.split('/')[1]];
    },
  });
  const policy = new Auth0PermissionPolicy({
    admins: ['group:default/platform-team', 'user:default/riley'],
    logger,
    userInfo,
  });
  const decide = (permission: Permission, person?: string) =>
    policy.handle(
      { permission },
      person
        ? {
            credentials: mockCredentials.user(`user:default/${person}`),
            info: people[person],
          }
        : undefined,
    );
  return { logger, decide };
}

const everyPermission: Permission[] = [
  catalogEntityReadPermission,
  catalogEntityCreatePermission,
  catalogEntityDeletePermission,
  catalogEntityRefreshPermission,
  catalogEntityValidatePermission,
  catalogLocationReadPermission,
  catalogLocationCreatePermission,
  catalogLocationAnalyzePermission,
  catalogLocationDeletePermission,
  templateParameterReadPermission,
  templateStepReadPermission,
  actionExecutePermission,
  taskCreatePermission,
  taskReadPermission,
  taskCancelPermission,
  templateManagementPermission,
  createPermission({ name: 'some-plugin.thing.update', attributes: {} }),
];

describe('Auth0PermissionPolicy', () => {
  it.each([
    ['chris', 'a member of an admin Group'],
    ['riley', 'an admin User'],
    ['casey', 'a member of an admin Group in other letter case'],
  ])('allows %s, %s, everything', async person => {
    const { decide } = setup();
    for (const permission of everyPermission) {
      expect(await decide(permission, person)).toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
  });

  it.each([
    catalogEntityReadPermission,
    catalogLocationReadPermission,
    catalogEntityRefreshPermission,
    catalogEntityValidatePermission,
    templateParameterReadPermission,
    templateStepReadPermission,
    taskReadPermission,
    taskCreatePermission,
    actionExecutePermission,
    // Any read, including other plugins' (what search shows depends on them).
    createPermission({
      name: 'some-plugin.thing.read',
      attributes: { action: 'read' },
    }),
  ])('allows everyone who signed in $name', async permission => {
    const { decide, logger } = setup();
    expect(await decide(permission, 'sam')).toEqual({
      result: AuthorizeResult.ALLOW,
    });
    expect(logger.info).not.toHaveBeenCalled();
  });

  it('lets someone who is not an admin delete only the entities they own', async () => {
    const { decide, logger } = setup();
    expect(await decide(catalogEntityDeletePermission, 'sam')).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        resourceType: 'catalog-entity',
        params: {
          claims: ['user:default/sam', 'group:default/payments-team'],
        },
      },
    });
    expect(logger.info).toHaveBeenCalledWith(
      'catalog.entity.delete for user:default/sam: only on entities owned by user:default/sam, group:default/payments-team, as user:default/sam is not an admin (backstageAuth0.permissions.admins); the catalog refuses the others with 403',
      {
        permission: 'catalog.entity.delete',
        user: 'user:default/sam',
        decision: AuthorizeResult.CONDITIONAL,
      },
    );
  });

  it('lets someone who is not an admin cancel only the tasks they started', async () => {
    const { decide, logger } = setup();
    expect(await decide(taskCancelPermission, 'sam')).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'scaffolder',
      resourceType: 'scaffolder-task',
      conditions: {
        rule: 'IS_TASK_OWNER',
        resourceType: 'scaffolder-task',
        params: { createdBy: ['user:default/sam'] },
      },
    });
    expect(logger.info).toHaveBeenCalledWith(
      'scaffolder.task.cancel for user:default/sam: only on the tasks that user:default/sam started, as user:default/sam is not an admin (backstageAuth0.permissions.admins)',
      expect.objectContaining({ decision: AuthorizeResult.CONDITIONAL }),
    );
  });

  it.each(
    (
      [
        [
          catalogLocationDeletePermission,
          'only admins may unregister a catalog location',
        ],
        [
          catalogLocationCreatePermission,
          'only admins may register or change a catalog location',
        ],
        [catalogEntityCreatePermission, 'only admins may register entities'],
        [
          catalogLocationAnalyzePermission,
          'only admins may analyze a location',
        ],
        [
          templateManagementPermission,
          'only admins have the permissions that this policy does not give everyone',
        ],
        [
          createPermission({
            name: 'some-plugin.thing.update',
            attributes: { action: 'update' },
          }),
          'only admins have the permissions that this policy does not give everyone',
        ],
      ] as Array<[Permission, string]>
    ).map(
      ([permission, reason]) => [permission.name, permission, reason] as const,
    ),
  )(
    'denies %s to someone who is not an admin, and logs why',
    async (_name, permission, reason) => {
      const { decide, logger } = setup();
      expect(await decide(permission, 'sam')).toEqual({
        result: AuthorizeResult.DENY,
      });
      expect(logger.info).toHaveBeenCalledTimes(1);
      const [message, fields] = logger.info.mock.calls[0];
      expect(message).toMatch(
        new RegExp(
          `^Denied ${permission.name.replace(
            /\./g,
            '\\.',
          )} to user:default/sam: `,
        ),
      );
      expect(message).toContain(reason);
      expect(message).toContain(
        'user:default/sam is not an admin (backstageAuth0.permissions.admins), owning through user:default/sam, group:default/payments-team',
      );
      expect(fields).toEqual({
        permission: permission.name,
        user: 'user:default/sam',
        decision: AuthorizeResult.DENY,
      });
    },
  );

  it('denies a request without a signed-in user, and logs it', async () => {
    const { decide, logger } = setup();
    expect(await decide(catalogEntityReadPermission)).toEqual({
      result: AuthorizeResult.DENY,
    });
    expect(logger.info).toHaveBeenCalledWith(
      'Denied catalog.entity.read to an unauthenticated request: every permission needs a signed-in user',
      expect.objectContaining({ permission: 'catalog.entity.read' }),
    );
  });

  it('has no admins when none are configured', async () => {
    const policy = new Auth0PermissionPolicy({
      admins: [],
      logger: mockServices.logger.mock(),
      userInfo: mockServices.userInfo.mock({
        getUserInfo: async () => people.chris,
      }),
    });
    expect(
      await policy.handle(
        { permission: catalogLocationDeletePermission },
        {
          credentials: mockCredentials.user('user:default/chris'),
          info: people.chris,
        },
      ),
    ).toEqual({ result: AuthorizeResult.DENY });
  });
});
