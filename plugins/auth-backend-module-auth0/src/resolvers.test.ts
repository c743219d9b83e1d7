import { Entity } from '@backstage/catalog-model';
import { mockServices } from '@backstage/backend-test-utils';
import { AuthResolverContext } from '@backstage/plugin-auth-node';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { Auth0IdTokenClaims } from './auth0Tokens';
import { Auth0SignInInfo, createAuth0SignInResolvers } from './resolvers';
import {
  AmbiguousCatalogUserError,
  CatalogUserEmailMismatchError,
  EmailDomainNotAllowedError,
  EmailNotVerifiedError,
  MissingEmailError,
} from './errors';

function user(name: string, email: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: { profile: { email } },
  };
}

const catalog = [
  user('chris', 'chris@example.com'),
  user('alex', 'Alex@Example.com'),
  user('twin-a', 'shared@example.com'),
  user('twin-b', 'shared@example.com'),
  user('bob', 'robert@example.com'),
  user('kevin', 'kevin@example.com'),
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'noemail', namespace: 'default' },
    spec: { profile: {} },
  },
];

/** U+212A KELVIN SIGN, which Unicode lower-casing turns into a plain `k`. */
const KELVIN_EMAIL = '\u212Aevin@example.com';

function signInInfo(claims: Partial<Auth0IdTokenClaims>): Auth0SignInInfo {
  return {
    profile: { email: claims.email },
    result: {
      fullProfile: { sub: 'auth0|test', ...claims },
      session: { accessToken: 'at', tokenType: 'Bearer', scope: 'openid' },
    },
  };
}

/**
 * A resolver context that records what it was asked: lookups by entity ref (what
 * signInWithCatalogUser receives) and the claims of every token issued.
 */
function recordingContext() {
  const signIns: unknown[] = [];
  const issueToken = jest.fn(async ({ claims }) => ({
    token: `token-for-${String(claims.sub).split('/').pop()}`,
  }));
  const ctx = {
    signInWithCatalogUser: jest.fn(async query => {
      signIns.push(query);
      const ref = (query as { entityRef: string | { name: string } }).entityRef;
      const name = typeof ref === 'string' ? ref.split('/').pop() : ref.name;
      if (!catalog.some(entity => entity.metadata.name === name)) {
        const error = new Error('User not found');
        error.name = 'NotFoundError';
        throw error;
      }
      return { token: `token-for-${name}` };
    }),
    resolveOwnershipEntityRefs: jest.fn(async (entity: Entity) => ({
      ownershipEntityRefs: [
        `user:default/${entity.metadata.name}`,
        `group:default/team-of-${entity.metadata.name}`,
      ],
    })),
    issueToken,
    // Like the catalog, names match ignoring case with Unicode rules.
    findCatalogUser: jest.fn(async (query: { entityRef: { name: string } }) => {
      signIns.push(query);
      const name = query.entityRef.name.toLowerCase();
      const entity = catalog.find(
        candidate => candidate.metadata.name === name,
      );
      if (!entity) {
        const error = new Error('User not found');
        error.name = 'NotFoundError';
        throw error;
      }
      return { entity };
    }),
  } as unknown as AuthResolverContext;
  const issued = () => issueToken.mock.calls.map(([params]) => params.claims);
  return { ctx, signIns, issued };
}

describe('email resolvers', () => {
  const logger = mockServices.logger.mock();
  const auth = mockServices.auth();
  const catalogRequests: Array<{
    filter: Record<string, string>;
    credentials: unknown;
  }> = [];
  const lookups = () =>
    catalogRequests.map(request => request.filter['spec.profile.email']);
  const catalogService = {
    // Like the catalog, emails match ignoring case with Unicode rules.
    async getEntities(
      request: { filter: Record<string, string> },
      { credentials }: { credentials: unknown },
    ) {
      catalogRequests.push({ filter: request.filter, credentials });
      const email = request.filter['spec.profile.email'].toLowerCase();
      return {
        items: catalog.filter(
          entity =>
            String((entity.spec as any).profile.email).toLowerCase() === email,
        ),
      };
    },
  } as unknown as CatalogService;
  const resolvers = createAuth0SignInResolvers({
    catalog: catalogService,
    auth,
    logger,
  });

  beforeEach(() => {
    catalogRequests.length = 0;
    jest.clearAllMocks();
  });

  describe('emailMatchingUserEntityProfileEmail', () => {
    const resolve = resolvers.emailMatchingUserEntityProfileEmail();

    it('signs a verified email in as the catalog user with that email', async () => {
      const { ctx, issued } = recordingContext();
      await expect(
        resolve(
          signInInfo({ email: 'chris@example.com', email_verified: true }),
          ctx,
        ),
      ).resolves.toEqual({ token: 'token-for-chris' });
      expect(issued()).toEqual([
        {
          sub: 'user:default/chris',
          ent: ['user:default/chris', 'group:default/team-of-chris'],
        },
      ]);
    });

    it('asks the catalog for Users with the email, with the calling plugin’s credentials', async () => {
      const { ctx } = recordingContext();
      await resolve(
        signInInfo({ email: 'chris@example.com', email_verified: true }),
        ctx,
      );
      expect(catalogRequests).toEqual([
        {
          filter: { kind: 'User', 'spec.profile.email': 'chris@example.com' },
          credentials: await auth.getOwnServiceCredentials(),
        },
      ]);
    });

    it('ignores letter case on both sides', async () => {
      const { ctx, issued } = recordingContext();
      await resolve(
        signInInfo({ email: 'ALEX@example.COM', email_verified: true }),
        ctx,
      );
      expect(lookups()).toEqual(['alex@example.com']);
      expect(issued()).toEqual([
        {
          sub: 'user:default/alex',
          ent: ['user:default/alex', 'group:default/team-of-alex'],
        },
      ]);
    });

    it('finds the plain address for a plus address', async () => {
      const { ctx, issued } = recordingContext();
      await resolve(
        signInInfo({ email: 'chris+ops@example.com', email_verified: true }),
        ctx,
      );
      expect(lookups()).toEqual(['chris+ops@example.com', 'chris@example.com']);
      expect(issued()).toEqual([
        {
          sub: 'user:default/chris',
          ent: ['user:default/chris', 'group:default/team-of-chris'],
        },
      ]);
    });

    it('refuses an email Auth0 has not verified, saying so', async () => {
      const { ctx } = recordingContext();
      const attempt = resolve(
        signInInfo({ email: 'chris@example.com', email_verified: false }),
        ctx,
      );
      await expect(attempt).rejects.toThrow(EmailNotVerifiedError);
      await expect(attempt).rejects.toThrow(
        'The email chris@example.com is not verified in Auth0',
      );
      expect(lookups()).toEqual([]);
    });

    it('treats a missing email_verified claim as not verified', async () => {
      const { ctx } = recordingContext();
      await expect(
        resolve(signInInfo({ email: 'chris@example.com' }), ctx),
      ).rejects.toThrow(EmailNotVerifiedError);
    });

    it('lets an unverified email in when allowUnverifiedEmail is set', async () => {
      const { ctx, issued } = recordingContext();
      await resolvers.emailMatchingUserEntityProfileEmail({
        allowUnverifiedEmail: true,
      })(
        signInInfo({ email: 'chris@example.com', email_verified: false }),
        ctx,
      );
      expect(issued()).toEqual([
        {
          sub: 'user:default/chris',
          ent: ['user:default/chris', 'group:default/team-of-chris'],
        },
      ]);
    });

    it('refuses a domain outside allowedDomains, ignoring case', async () => {
      const { ctx } = recordingContext();
      const restricted = resolvers.emailMatchingUserEntityProfileEmail({
        allowedDomains: ['Example.com'],
      });
      await expect(
        restricted(
          signInInfo({ email: 'chris@evil.example', email_verified: true }),
          ctx,
        ),
      ).rejects.toThrow(
        new EmailDomainNotAllowedError('chris@evil.example', ['example.com']),
      );
      await expect(
        restricted(
          signInInfo({ email: 'chris@EXAMPLE.com', email_verified: true }),
          ctx,
        ),
      ).resolves.toEqual({ token: 'token-for-chris' });
    });

    it('refuses two catalog users with one email and logs both refs, telling the person neither', async () => {
      const { ctx, issued } = recordingContext();
      const attempt = resolve(
        signInInfo({ email: 'shared@example.com', email_verified: true }),
        ctx,
      );
      await expect(attempt).rejects.toThrow(AmbiguousCatalogUserError);
      const error = await attempt.catch(e => e);
      expect(JSON.stringify({ ...error, message: error.message })).not.toMatch(
        /user:default/,
      );
      expect(issued()).toEqual([]);
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringContaining('user:default/twin-a, user:default/twin-b'),
      );
    });

    it('matches only A to Z regardless of case: the Kelvin sign is not a k', async () => {
      const { ctx, issued } = recordingContext();
      await expect(
        resolve(signInInfo({ email: KELVIN_EMAIL, email_verified: true }), ctx),
      ).rejects.toMatchObject({ name: 'NotFoundError' });
      expect(issued()).toEqual([]);
    });

    it('answers NotFoundError when no user has the email, so the chain moves on', async () => {
      const { ctx } = recordingContext();
      await expect(
        resolve(
          signInInfo({ email: 'newhire@example.com', email_verified: true }),
          ctx,
        ),
      ).rejects.toMatchObject({ name: 'NotFoundError' });
    });

    it('refuses a profile without an email', async () => {
      const { ctx } = recordingContext();
      await expect(resolve(signInInfo({}), ctx)).rejects.toThrow(
        MissingEmailError,
      );
    });

    it('rejects unknown options', () => {
      expect(() =>
        resolvers.emailMatchingUserEntityProfileEmail({
          allowedDomain: ['example.com'],
        } as any),
      ).toThrow(/Invalid sign-in resolver options/);
    });
  });

  describe('emailLocalPartMatchingUserEntityName', () => {
    it('signs in the user named like the local part, without a plus tag', async () => {
      const { ctx, signIns, issued } = recordingContext();
      await resolvers.emailLocalPartMatchingUserEntityName()(
        signInInfo({ email: 'Chris+ops@example.com', email_verified: true }),
        ctx,
      );
      expect(signIns).toEqual([{ entityRef: { name: 'chris' } }]);
      expect(issued()).toEqual([
        {
          sub: 'user:default/chris',
          ent: ['user:default/chris', 'group:default/team-of-chris'],
        },
      ]);
    });

    it('refuses a user of that name whose catalog email is another, naming both', async () => {
      const { ctx, issued } = recordingContext();
      const attempt = resolvers.emailLocalPartMatchingUserEntityName()(
        signInInfo({ email: 'bob@example.com', email_verified: true }),
        ctx,
      );
      await expect(attempt).rejects.toThrow(
        new CatalogUserEmailMismatchError(
          'bob@example.com',
          'robert@example.com',
        ),
      );
      await expect(attempt).rejects.toThrow(
        /bob@example\.com.*robert@example\.com/,
      );
      expect(issued()).toEqual([]);
    });

    it('signs in a user with another catalog email when allowEmailMismatch is set', async () => {
      const { ctx, issued } = recordingContext();
      await resolvers.emailLocalPartMatchingUserEntityName({
        allowEmailMismatch: true,
      })(signInInfo({ email: 'bob@example.com', email_verified: true }), ctx);
      expect(issued().map(claims => claims.sub)).toEqual(['user:default/bob']);
    });

    it('signs in a user whose catalog entry has no email', async () => {
      const { ctx, issued } = recordingContext();
      await resolvers.emailLocalPartMatchingUserEntityName()(
        signInInfo({ email: 'noemail@example.com', email_verified: true }),
        ctx,
      );
      expect(issued().map(claims => claims.sub)).toEqual([
        'user:default/noemail',
      ]);
    });

    it('never looks up a local part that cannot be a user name (the Kelvin sign)', async () => {
      const { ctx, signIns, issued } = recordingContext();
      await expect(
        resolvers.emailLocalPartMatchingUserEntityName()(
          signInInfo({ email: KELVIN_EMAIL, email_verified: true }),
          ctx,
        ),
      ).rejects.toMatchObject({ name: 'NotFoundError' });
      expect(signIns).toEqual([]);
      expect(issued()).toEqual([]);
    });

    it('refuses another domain when allowedDomains is set', async () => {
      const { ctx, signIns } = recordingContext();
      await expect(
        resolvers.emailLocalPartMatchingUserEntityName({
          allowedDomains: ['example.com'],
        })(
          signInInfo({ email: 'chris@evil.example', email_verified: true }),
          ctx,
        ),
      ).rejects.toThrow(EmailDomainNotAllowedError);
      expect(signIns).toEqual([]);
    });

    it('refuses an unverified email', async () => {
      const { ctx } = recordingContext();
      await expect(
        resolvers.emailLocalPartMatchingUserEntityName()(
          signInInfo({ email: 'chris@example.com', email_verified: false }),
          ctx,
        ),
      ).rejects.toThrow(EmailNotVerifiedError);
    });
  });
});
