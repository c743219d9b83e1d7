import { ExportedUser } from '@backstage-auth0/plugin-catalog-backend-module-auth0';
import { ConfigReader } from '@backstage/config';
import { assessUsers, describeRefusals } from './catalogCoverage';
import { checkSignInConfig } from './configChecks';
import { LocalCatalog } from './localCatalog';

function user(name: string, email?: string) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: { profile: email ? { email } : {}, memberOf: [] },
  };
}

/** The module's resolvers, as a production config names them, over this catalog. */
function chainOver(catalog: LocalCatalog, connection?: string) {
  const { settings } = checkSignInConfig(
    new ConfigReader({
      app: { baseUrl: 'http://localhost:3000' },
      backend: { baseUrl: 'http://localhost:7007' },
      auth: {
        environment: 'production',
        session: { secret: 'a'.repeat(32) },
        providers: {
          auth0: {
            production: {
              domain: 'tenant.example.com',
              clientId: 'client-id',
              clientSecret: 'client-secret',
              connection,
              signIn: {
                resolvers: [
                  {
                    resolver: 'emailMatchingUserEntityProfileEmail',
                    allowedDomains: ['example.com'],
                  },
                  {
                    resolver: 'emailLocalPartMatchingUserEntityName',
                    allowedDomains: ['example.com'],
                  },
                ],
              },
            },
          },
        },
      },
    }),
    catalog,
  );
  return settings!.chain;
}

async function* exported(
  ...users: ExportedUser[]
): AsyncGenerator<ExportedUser> {
  yield* users;
}

const auth0User = (id: string, fields: ExportedUser = {}): ExportedUser => ({
  user_id: `auth0|${id}`,
  email: `${id}@example.com`,
  email_verified: true,
  identities: [{ connection: 'Username-Password-Authentication' }],
  ...fields,
});

describe('assessUsers', () => {
  const catalog = new LocalCatalog();
  catalog.replace([
    user('ana', 'ana@example.com'),
    user('dup-one', 'shared@example.com'),
    user('dup-two', 'Shared@Example.com'),
    user('bob', 'robert@example.com'),
    user('carol'),
  ]);

  it("says who sign-in would refuse, and why, in the module's own terms", async () => {
    const assessment = await assessUsers({
      chain: chainOver(catalog),
      catalog,
      users: exported(
        auth0User('ana'),
        auth0User('Carol', { email: 'Carol+ops@Example.com' }),
        auth0User('newhire'),
        auth0User('unverified', { email_verified: false }),
        auth0User('stranger', { email: 'ana@evil.example' }),
        auth0User('shared'),
        auth0User('bob'),
        auth0User('phone-only', { email: undefined }),
        auth0User('gone', { blocked: true }),
        { email: 'no-user-id@example.com' },
      ),
    });
    expect(assessment).toMatchObject({
      considered: 8,
      blocked: 1,
      otherConnection: 0,
    });
    expect(await describeRefusals(assessment.refusals, catalog)).toEqual([
      'newhire@example.com (auth0|newhire): no catalog user — add a User entity with spec.profile.email: newhire@example.com',
      'unverified@example.com (auth0|unverified): email not verified in Auth0 — the person opens the verification email, or an admin verifies the user in the Auth0 Dashboard (User Management > Users)',
      "ana@evil.example (auth0|stranger): domain not allowed (allowedDomains: example.com) — add the domain to the resolvers' allowedDomains, or leave the user out of this tenant",
      'shared@example.com (auth0|shared): more than one catalog user has the email (user:default/dup-one, user:default/dup-two) — keep the email on one User entity',
      'bob@example.com (auth0|bob): the catalog user named after the email has another email (robert@example.com) — give that User entity spec.profile.email: bob@example.com, or set allowEmailMismatch: true on emailLocalPartMatchingUserEntityName',
      '(no email) (auth0|phone-only): no email in Auth0 — give the account an email in Auth0',
    ]);
  });

  it('leaves out the users of other connections when sign-in goes to one', async () => {
    const assessment = await assessUsers({
      chain: chainOver(catalog, 'google-oauth2'),
      catalog,
      connection: 'google-oauth2',
      users: exported(
        auth0User('ana', { identities: [{ connection: 'google-oauth2' }] }),
        auth0User('newhire'),
      ),
    });
    expect(assessment).toEqual({
      considered: 1,
      blocked: 0,
      otherConnection: 1,
      refusals: [],
    });
  });
});
