import { ConfigReader } from '@backstage/config';
import { Auth0OrgConfigError, readAuth0OrgProviderConfigs } from './config';

const valid = {
  domain: 'acme.eu.auth0.com',
  clientId: 'm2m-client',
  clientSecret: 'm2m-secret',
};

function read(providers: object) {
  return readAuth0OrgProviderConfigs(
    new ConfigReader({ catalog: { providers: { auth0: providers } } }),
  );
}

function problemsOf(providers: object): string[] {
  try {
    read(providers);
  } catch (error) {
    expect(error).toBeInstanceOf(Auth0OrgConfigError);
    return (error as Auth0OrgConfigError).problems;
  }
  throw new Error('expected an Auth0OrgConfigError');
}

describe('readAuth0OrgProviderConfigs', () => {
  it('reads the documented block with its defaults', () => {
    expect(read({ production: valid })).toEqual([
      {
        id: 'production',
        ...valid,
        schedule: { frequency: { minutes: 30 }, timeout: { minutes: 15 } },
        users: { connections: undefined, includeUnverified: false },
        groups: { fromRoles: true, fromOrganizations: true },
      },
    ]);
  });

  it('reads every key of the documented shape', () => {
    const [settings] = read({
      production: {
        ...valid,
        schedule: { frequency: { minutes: 10 }, timeout: { minutes: 5 } },
        users: {
          connections: ['Username-Password-Authentication'],
          includeUnverified: true,
        },
        groups: { fromRoles: false, fromOrganizations: true },
      },
    });
    expect(settings).toMatchObject({
      schedule: { frequency: { minutes: 10 }, timeout: { minutes: 5 } },
      users: {
        connections: ['Username-Password-Authentication'],
        includeUnverified: true,
      },
      groups: { fromRoles: false, fromOrganizations: true },
    });
  });

  it('reads one provider per tenant', () => {
    expect(
      read({
        production: valid,
        staging: { ...valid, domain: 's.auth0.com' },
      }).map(({ id, domain }) => `${id}=${domain}`),
    ).toEqual(['production=acme.eu.auth0.com', 'staging=s.auth0.com']);
  });

  it('reads nothing when there is no block', () => {
    expect(readAuth0OrgProviderConfigs(new ConfigReader({}))).toEqual([]);
  });

  it('reports every problem of every block at once, naming the keys', () => {
    expect(
      problemsOf({
        production: { domain: 'https://acme.eu.auth0.com/' },
        staging: {
          ...valid,
          domain: 'acme.eu.auth0.com/api/v2',
          schedule: { frequency: { minutes: 'often' } },
          users: { includeUnverified: 42, connections: [''] },
        },
      }),
    ).toEqual([
      'catalog.providers.auth0.production.domain is "https://acme.eu.auth0.com/": give the host name only, without "https://", e.g. acme.eu.auth0.com',
      'catalog.providers.auth0.production.clientId is missing: set it to the Client ID of a Machine to Machine application authorized for the Auth0 Management API',
      'catalog.providers.auth0.production.clientSecret is missing: set it to the Client Secret of that Machine to Machine application',
      expect.stringContaining(
        "'catalog.providers.auth0.staging.users.connections[0]'",
      ),
      'catalog.providers.auth0.staging.domain is "acme.eu.auth0.com/api/v2": give the host name only, without a path, e.g. acme.eu.auth0.com',
      expect.stringMatching(
        /^catalog\.providers\.auth0\.staging\.schedule: .*; e\.g\. \{ frequency: \{ minutes: 30 \}, timeout: \{ minutes: 15 \} \}$/,
      ),
      expect.stringContaining(
        "'catalog.providers.auth0.staging.users.includeUnverified'",
      ),
    ]);
  });

  it('says which block is empty', () => {
    expect(problemsOf({ production: {} })).toEqual([
      expect.stringContaining(
        'catalog.providers.auth0.production.domain is missing',
      ),
      expect.stringContaining(
        'catalog.providers.auth0.production.clientId is missing',
      ),
      expect.stringContaining(
        'catalog.providers.auth0.production.clientSecret is missing',
      ),
    ]);
  });

  it('says which block is not a block', () => {
    expect(problemsOf({ production: 'acme.eu.auth0.com' })).toEqual([
      expect.stringContaining("'catalog.providers.auth0.production'"),
    ]);
  });

  it('puts every problem in the error message', () => {
    expect(() => read({ production: { ...valid, clientSecret: ' ' } })).toThrow(
      'The Auth0 catalog provider cannot start:\n  - catalog.providers.auth0.production.clientSecret is missing',
    );
  });
});
