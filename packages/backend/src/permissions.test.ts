import { randomUUID } from 'node:crypto';
import {
  auth0Environment,
  registerAuth0SignInStack,
  signInThroughPopup,
  startBackendProcess,
  type BackendAddress,
} from '@internal/test-harness';

jest.setTimeout(180_000);

/** Development's log lines without their terminal colours. */
function withoutColors(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

type Entity = { metadata: { uid: string; name: string } };

/** The catalog and permission APIs as someone with a Backstage token calls them. */
function asPerson(backend: BackendAddress, token: string) {
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${backend.baseUrl}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...init.headers,
      },
    });
  return {
    call,
    async entity(ref: string): Promise<Entity | undefined> {
      const [kind, namespace, name] = ref.split(/[:/]/);
      const response = await call(
        `/api/catalog/entities/by-name/${kind}/${namespace}/${name}`,
      );
      if (response.status === 404) return undefined;
      expect(response.status).toBe(200);
      return response.json();
    },
    /** What the app's "Unregister entity" does for an entity of no registered location. */
    async unregister(entity: Entity) {
      return call(`/api/catalog/entities/by-uid/${entity.metadata.uid}`, {
        method: 'DELETE',
      });
    },
    /** What the app asks before it offers "Unregister entity" for `resourceRef`. */
    async mayDelete(resourceRef: string): Promise<string> {
      const response = await call('/api/permission/authorize', {
        method: 'POST',
        body: JSON.stringify({
          items: [
            {
              id: randomUUID(),
              resourceRef,
              permission: {
                type: 'resource',
                name: 'catalog.entity.delete',
                attributes: { action: 'delete' },
                resourceType: 'catalog-entity',
              },
            },
          ],
        }),
      });
      expect(response.status).toBe(200);
      return (await response.json()).items[0].result;
    },
  };
}

/**
 * This repo's backend with its permission policy (app-config.yaml: admins are the members of
 * group:default/platform-team) and people of examples/org.yaml signing in through the dev
 * server: chris is in platform-team; sam and jordan are in payments-team, which owns
 * checkout-service and checkout-api; platform-team owns backstage and cluster-provisioner.
 */
describe('the permission policy', () => {
  const stack = registerAuth0SignInStack({ catalogUser: 'jordan' });

  async function signIn(user: string) {
    const { message } = await signInThroughPopup(
      stack.newBrowser(),
      stack.backend,
      { user },
    );
    expect(message.error).toBeUndefined();
    return asPerson(stack.backend, message.response!.backstageIdentity!.token);
  }

  it('refuses with 403 to unregister an entity that the person neither owns nor administers, and logs why', async () => {
    const sam = await signIn('sam');
    const backstage = (await sam.entity('component:default/backstage'))!;
    expect(backstage).toBeDefined();

    const response = await sam.unregister(backstage);
    expect(response.status).toBe(403);
    expect((await response.json()).error).toMatchObject({
      name: 'NotAllowedError',
    });
    expect(await sam.entity('component:default/backstage')).toBeDefined();
    expect(await sam.mayDelete('component:default/backstage')).toBe('DENY');

    expect(withoutColors(stack.backend.output())).toContain(
      'catalog.entity.delete for user:default/sam: only on entities owned by user:default/sam, group:default/payments-team, as user:default/sam is not an admin (backstageAuth0.permissions.admins)',
    );
  });

  it('lets an owner, through their team, unregister the team’s entity', async () => {
    const jordan = await signIn('jordan');
    expect(await jordan.mayDelete('component:default/checkout-service')).toBe(
      'ALLOW',
    );
    const entity = (await jordan.entity('component:default/checkout-service'))!;

    const response = await jordan.unregister(entity);
    expect(response.status).toBe(204);
    expect(await jordan.entity('component:default/checkout-service')).toBe(
      undefined,
    );
  });

  it('lets an admin, a member of platform-team, unregister an entity of another team', async () => {
    const chris = await signIn('chris');
    expect(await chris.mayDelete('api:default/checkout-api')).toBe('ALLOW');
    const entity = (await chris.entity('api:default/checkout-api'))!;

    const response = await chris.unregister(entity);
    expect(response.status).toBe(204);
    expect(await chris.entity('api:default/checkout-api')).toBe(undefined);
  });

  it('lets only admins register, change or unregister a catalog location, and logs each refusal', async () => {
    const [sam, chris] = [await signIn('sam'), await signIn('chris')];
    const someLocation = `/api/catalog/locations/${randomUUID()}`;
    const location = JSON.stringify({
      type: 'url',
      target: 'https://github.com/example/repo/blob/main/catalog-info.yaml',
    });

    expect(
      (
        await sam.call('/api/catalog/locations', {
          method: 'POST',
          body: location,
        })
      ).status,
    ).toBe(403);
    expect(
      (await sam.call(someLocation, { method: 'PUT', body: location })).status,
    ).toBe(403);
    expect((await sam.call(someLocation, { method: 'DELETE' })).status).toBe(
      403,
    );
    // An admin gets past the policy: there is no such location.
    expect((await chris.call(someLocation, { method: 'DELETE' })).status).toBe(
      404,
    );

    const log = withoutColors(stack.backend.output());
    for (const permission of [
      'catalog.location.create',
      'catalog.location.delete',
    ]) {
      expect(log).toContain(
        `Denied ${permission} to user:default/sam: only admins may`,
      );
    }
    expect(log).toContain(
      'user:default/sam is not an admin (backstageAuth0.permissions.admins), owning through user:default/sam, group:default/payments-team',
    );
  });

  it('lets an admin through the Auth0 roles claim unregister any entity', async () => {
    // sam is in payments-team in the catalog; Auth0 now gives him the role "Platform Team",
    // whose name the dev server puts into the roles claim (signIn.groupClaims).
    await stack.auth0.admin.updateUser('sam', { roles: ['Platform Team'] });
    try {
      const { message } = await signInThroughPopup(
        stack.newBrowser(),
        stack.backend,
        { user: 'sam' },
      );
      const identity = message.response!.backstageIdentity!;
      expect(identity.identity.ownershipEntityRefs).toContain(
        'group:default/platform-team',
      );
      const sam = asPerson(stack.backend, identity.token);
      expect(await sam.mayDelete('system:default/developer-portal')).toBe(
        'ALLOW',
      );
      const entity = (await sam.entity('system:default/developer-portal'))!;
      expect((await sam.unregister(entity)).status).toBe(204);
      expect(await sam.entity('system:default/developer-portal')).toBe(
        undefined,
      );
    } finally {
      await stack.auth0.admin.reset();
    }
  });

  it('lets everyone who signed in read the catalog and search it', async () => {
    const sam = await signIn('sam');
    expect(await sam.entity('component:default/backstage')).toBeDefined();

    // Results pass through catalog.entity.read for the person; the index is built shortly
    // after startup.
    let titles: string[] = [];
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
      const search = await sam.call('/api/search/query?term=cluster');
      if (search.status === 200) {
        titles = (await search.json()).results.map(
          (result: { document: { title: string } }) => result.document.title,
        );
        if (titles.length > 0) break;
      }
      await new Promise(resolve => setTimeout(resolve, 500));
    }
    expect(titles).toContain('cluster-provisioner');
  });

  it('refuses to start when an admin is not an entity ref, naming the key', async () => {
    await expect(
      startBackendProcess({
        configFiles: ['app-config.yaml'],
        env: {
          ...auth0Environment(stack.auth0),
          APP_CONFIG_backstageAuth0_permissions_admins: JSON.stringify([
            'group:default/platform-team',
            'platform-team',
          ]),
        },
      }),
    ).rejects.toThrow(
      /backstageAuth0\.permissions\.admins\[1\] "platform-team" is not an entity ref/,
    );
  });
});
