import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogLocationDeletePermission } from '@backstage/plugin-catalog-common/alpha';
import permissionPlugin from '@backstage/plugin-permission-backend';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { permissionModuleAuth0Policy } from './module';

const ownership: Record<string, string[]> = {
  'user:default/chris': ['user:default/chris', 'group:default/platform-team'],
  'user:default/sam': ['user:default/sam', 'group:default/payments-team'],
};

function startWithAdmins(admins: unknown) {
  return startTestBackend({
    features: [
      permissionPlugin,
      permissionModuleAuth0Policy,
      mockServices.rootConfig.factory({
        data: {
          permission: { enabled: true },
          backstageAuth0: { permissions: { admins } },
        } as any,
      }),
      mockServices.userInfo.mock({
        getUserInfo: async credentials => {
          const userEntityRef = (
            credentials.principal as { userEntityRef: string }
          ).userEntityRef;
          return {
            userEntityRef,
            ownershipEntityRefs: ownership[userEntityRef],
          };
        },
      }).factory,
    ],
  });
}

describe('permissionModuleAuth0Policy', () => {
  it('is the permission backend’s policy', async () => {
    const { server } = await startWithAdmins(['group:default/platform-team']);
    const authorize = async (user: string) => {
      const response = await fetch(
        `http://localhost:${server.port()}/api/permission/authorize`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: mockCredentials.user.header(user),
          },
          body: JSON.stringify({
            items: [{ id: '1', permission: catalogLocationDeletePermission }],
          }),
        },
      );
      expect(response.status).toBe(200);
      return (await response.json()).items[0].result;
    };
    expect(await authorize('user:default/chris')).toBe(AuthorizeResult.ALLOW);
    expect(await authorize('user:default/sam')).toBe(AuthorizeResult.DENY);
  });

  it('stops the backend at startup for a bad admin, naming the key', async () => {
    await expect(
      startWithAdmins(['group:default/platform-team', 'platform-team']),
    ).rejects.toThrow(
      /backstageAuth0\.permissions\.admins\[1\] "platform-team" is not an entity ref/,
    );
  });
});
