import { checkOrganization, isPlausibleRefreshToken } from './auth0Tokens';
import { OrganizationMismatchError } from './errors';

describe('checkOrganization', () => {
  const member = { org_id: 'org_abc123', org_name: 'example-corp' };

  it('accepts the configured organization by id or by name, name ignoring case', () => {
    expect(() => checkOrganization(member, 'org_abc123')).not.toThrow();
    expect(() => checkOrganization(member, 'Example-Corp')).not.toThrow();
  });

  it('refuses another organization, naming both', () => {
    expect(() =>
      checkOrganization(
        { org_id: 'org_other', org_name: 'other-corp' },
        'org_abc123',
      ),
    ).toThrow(new OrganizationMismatchError('org_abc123', 'other-corp'));
    expect(() =>
      checkOrganization(
        { org_id: 'org_other', org_name: 'other-corp' },
        'example-corp',
      ),
    ).toThrow(OrganizationMismatchError);
  });

  it('refuses a token without an organization', () => {
    expect(() => checkOrganization({}, 'org_abc123')).toThrow(
      'You signed in through no Auth0 organization, but this Backstage accepts only members of org_abc123',
    );
  });

  it('does not take an id for a name or a name for an id', () => {
    expect(() =>
      checkOrganization({ org_name: 'org_abc123' }, 'org_abc123'),
    ).toThrow(OrganizationMismatchError);
    expect(() =>
      checkOrganization({ org_id: 'example-corp' }, 'example-corp'),
    ).toThrow(OrganizationMismatchError);
  });

  it('compares names with ASCII case folding only', () => {
    expect(() => checkOrganization({ org_name: '\u212Aorp' }, 'korp')).toThrow(
      OrganizationMismatchError,
    );
  });
});

describe('isPlausibleRefreshToken', () => {
  it.each([
    [
      'an oidc-provider refresh token',
      'Yq0n3mL8pZt1wX5vB7cD9eF2gH4jK6lM8nP0qR2sT4u',
    ],
    ['an Auth0 v1 refresh token', `v1.M${'a1B2c3D4'.repeat(12)}`],
  ])('accepts %s', (_kind, token) => {
    expect(isPlausibleRefreshToken(token)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['too short', 'abc'],
    ['absurdly long', 'a'.repeat(2049)],
    ['with markup', '<script>alert(1)</script>xxxxxxxx'],
    ['with a cookie separator', 'aaaaaaaaaaaaaaaaaaaa; other=1'],
    ['with non-ASCII characters', '\u212A'.repeat(20)],
  ])('refuses a cookie that is %s', (_kind, token) => {
    expect(isPlausibleRefreshToken(token)).toBe(false);
  });
});
