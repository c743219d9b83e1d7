import { ConfigReader } from '@backstage/config';
import { readAuth0ProviderSettings, sessionSecretProblems } from './config';

function read(envConfig: object) {
  const problems: string[] = [];
  const settings = readAuth0ProviderSettings({
    envConfig: new ConfigReader(envConfig),
    keyPrefix: 'auth.providers.auth0.production',
    problems,
  });
  return { settings, problems };
}

const valid = {
  domain: 'acme.eu.auth0.com',
  clientId: 'client',
  clientSecret: 'secret',
};

describe('readAuth0ProviderSettings', () => {
  it('reads a valid block with upstream defaults', () => {
    expect(read(valid)).toEqual({
      problems: [],
      settings: {
        ...valid,
        callbackUrl: undefined,
        audience: undefined,
        connection: undefined,
        connectionScope: undefined,
        organization: undefined,
        prompt: 'auto',
        federatedLogout: false,
        refreshResultWindowMs: 10_000,
      },
    });
  });

  it('reads the refresh result window, refusing one outside 1 to 60 seconds', () => {
    expect(
      read({ ...valid, refreshResultWindow: { seconds: 3 } }).settings
        .refreshResultWindowMs,
    ).toBe(3_000);
    expect(
      read({ ...valid, refreshResultWindow: { minutes: 5 } }).problems,
    ).toEqual([
      expect.stringContaining(
        'auth.providers.auth0.production.refreshResultWindow is 300000 ms: it must be from 1 to 60 seconds',
      ),
    ]);
  });

  it('refuses a domain with a scheme, naming the fix', () => {
    expect(
      read({ ...valid, domain: 'https://acme.eu.auth0.com' }).problems,
    ).toEqual([
      'auth.providers.auth0.production.domain is "https://acme.eu.auth0.com": give the host name only, without "https://", e.g. acme.eu.auth0.com',
    ]);
  });

  it('refuses a domain with a path', () => {
    expect(read({ ...valid, domain: 'acme.eu.auth0.com/' }).problems).toEqual([
      'auth.providers.auth0.production.domain is "acme.eu.auth0.com/": give the host name only, without a path, e.g. acme.eu.auth0.com',
    ]);
  });

  it('lists every missing value with the variable to set', () => {
    expect(read({ clientId: '  ' }).problems).toEqual([
      "auth.providers.auth0.production.domain is missing: set AUTH_AUTH0_DOMAIN to your tenant's domain, e.g. my-company.eu.auth0.com",
      'auth.providers.auth0.production.clientId is missing: set AUTH_AUTH0_CLIENT_ID (Auth0 dashboard > Applications > your Backstage application)',
      'auth.providers.auth0.production.clientSecret is missing: set AUTH_AUTH0_CLIENT_SECRET (Auth0 dashboard > Applications > your Backstage application)',
    ]);
  });
});

describe('sessionSecretProblems', () => {
  const production = (secret?: string) =>
    new ConfigReader({
      auth: { environment: 'production', session: secret ? { secret } : {} },
    });

  it('requires a session secret in production', () => {
    expect(sessionSecretProblems(production())).toEqual([
      'auth.session.secret is missing: set AUTH_SESSION_SECRET to at least 32 random characters (openssl rand -base64 32)',
    ]);
  });

  it('refuses a short one in production', () => {
    expect(sessionSecretProblems(production('x'.repeat(31)))).toEqual([
      'auth.session.secret is 31 characters long: production needs at least 32; set AUTH_SESSION_SECRET to the output of openssl rand -base64 32',
    ]);
    expect(sessionSecretProblems(production('x'.repeat(32)))).toEqual([]);
  });

  it('does not ask for one in development', () => {
    expect(
      sessionSecretProblems(
        new ConfigReader({ auth: { environment: 'development' } }),
      ),
    ).toEqual([]);
  });
});
