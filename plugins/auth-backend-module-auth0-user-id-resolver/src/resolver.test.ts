import { AuthResolverContext } from '@backstage/plugin-auth-node';
import type { Auth0SignInInfo } from '@backstage-auth0/plugin-auth-backend-module-auth0';
import { auth0UserIdMatchingUserEntityAnnotation } from './resolver';

const info: Auth0SignInInfo = {
  profile: { email: 'sam@example.com' },
  result: {
    fullProfile: { sub: 'auth0|sam', email: 'sam@example.com' },
    session: { accessToken: 'at', tokenType: 'Bearer', scope: 'openid' },
  },
};

function contextRecording(queries: unknown[]) {
  return {
    signInWithCatalogUser: async (query: unknown) => {
      queries.push(query);
      return { token: 'token' };
    },
  } as unknown as AuthResolverContext;
}

describe('auth0UserIdMatchingUserEntityAnnotation', () => {
  it('looks the Auth0 user id up in the auth0.com/user-id annotation', async () => {
    const queries: unknown[] = [];
    await expect(
      auth0UserIdMatchingUserEntityAnnotation()(
        info,
        contextRecording(queries),
      ),
    ).resolves.toEqual({ token: 'token' });
    expect(queries).toEqual([
      { annotations: { 'auth0.com/user-id': 'auth0|sam' } },
    ]);
  });

  it('reads another annotation when configured', async () => {
    const queries: unknown[] = [];
    await auth0UserIdMatchingUserEntityAnnotation({
      annotation: 'example.com/auth0-id',
    })(info, contextRecording(queries));
    expect(queries).toEqual([
      { annotations: { 'example.com/auth0-id': 'auth0|sam' } },
    ]);
  });

  it('rejects unknown options', () => {
    expect(() =>
      auth0UserIdMatchingUserEntityAnnotation({ annotations: 'x' } as any),
    ).toThrow(/Invalid sign-in resolver options/);
  });
});
