import { Entity } from '@backstage/catalog-model';
import { AuthResolverContext } from '@backstage/plugin-auth-node';
import { observeResolverContext } from './observedResolverContext';

const chris: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name: 'chris', namespace: 'default' },
  spec: { memberOf: ['payments-team'] },
};

function context(): AuthResolverContext {
  return {
    issueToken: jest.fn(async ({ claims }) => ({
      token: JSON.stringify(claims),
    })),
    findCatalogUser: jest.fn(async () => ({ entity: chris })),
    resolveOwnershipEntityRefs: jest.fn(async () => ({
      ownershipEntityRefs: [
        'user:default/chris',
        'group:default/payments-team',
      ],
    })),
    signInWithCatalogUser: jest.fn(async () => ({ token: 'fallback' })),
  };
}
const claimed = async () => [
  'group:default/platform-team',
  'group:default/payments-team',
];

describe('observeResolverContext', () => {
  it('adds the claimed Groups to resolved ownership, once each', async () => {
    const { context: wrapped } = observeResolverContext(context(), claimed);
    await expect(wrapped.resolveOwnershipEntityRefs(chris)).resolves.toEqual({
      ownershipEntityRefs: [
        'user:default/chris',
        'group:default/payments-team',
        'group:default/platform-team',
      ],
    });
  });

  it('issues the token of signInWithCatalogUser with them, and keeps only the catalog’s for the cache', async () => {
    const ctx = context();
    const observed = observeResolverContext(ctx, claimed);
    const result = await observed.context.signInWithCatalogUser({
      entityRef: 'user:default/chris',
    });
    expect(JSON.parse(result.token)).toEqual({
      sub: 'user:default/chris',
      ent: [
        'user:default/chris',
        'group:default/payments-team',
        'group:default/platform-team',
      ],
    });
    expect(ctx.signInWithCatalogUser).not.toHaveBeenCalled();
    // payments-team is in the catalog too, so it stays; platform-team came from the claim only.
    expect(observed.cacheable(result)).toEqual({
      claims: {
        sub: 'user:default/chris',
        ent: ['user:default/chris', 'group:default/payments-team'],
      },
      addsClaimedGroups: true,
    });
  });

  it('keeps the other claims a resolver issues, `ent` as the auth backend fills it in, and that it added no claimed Group', async () => {
    const observed = observeResolverContext(context(), claimed);
    const result = await observed.context.issueToken({
      claims: { sub: 'user:default/chris', team: 'payments' },
    });
    expect(observed.cacheable(result)).toEqual({
      claims: {
        sub: 'user:default/chris',
        ent: ['user:default/chris'],
        team: 'payments',
      },
      addsClaimedGroups: false,
    });
  });

  it('leaves a sign-in with a dangerous fallback to the original context, and caches nothing of it', async () => {
    const observed = observeResolverContext(context(), claimed);
    const result = await observed.context.signInWithCatalogUser(
      { entityRef: 'user:default/nobody' },
      { dangerousEntityRefFallback: { entityRef: 'user:default/nobody' } },
    );
    expect(result).toEqual({ token: 'fallback' });
    expect(observed.cacheable(result)).toBeUndefined();
  });

  it('caches nothing when the result is not the token it issued', async () => {
    const observed = observeResolverContext(context());
    await observed.context.issueToken({ claims: { sub: 'user:default/a' } });
    expect(observed.cacheable({ token: 'another token' })).toBeUndefined();
  });
});
