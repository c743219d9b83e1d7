import { ManagementError } from 'auth0';
import {
  explainFailure,
  explainMissingScopes,
  FailureContext,
  grantedScopes,
  requiredScopes,
} from './failureMessages';
import { TokenRequestError } from './managementApi';
import { UserExportJobError } from './userExport';

const context: FailureContext = {
  keyPrefix: 'catalog.providers.auth0.production',
  domain: 'acme.eu.auth0.com',
  clientId: 'm2m-client',
  requiredScopes: requiredScopes({ fromRoles: true, fromOrganizations: true }),
};

const explain = (error: unknown) =>
  explainFailure(error, 'exporting users', context);

const tokenError = (statusCode: number, body: unknown) =>
  new TokenRequestError(
    new ManagementError({
      message: 'ManagementClient: token request failed',
      statusCode,
      body,
    }),
  );

describe('explainFailure', () => {
  it('names the client id and secret keys when Auth0 refuses the credentials', () => {
    expect(
      explain(
        tokenError(401, {
          error: 'access_denied',
          error_description: 'Unauthorized',
        }),
      ),
    ).toBe(
      'Reading Auth0 tenant acme.eu.auth0.com for catalog.providers.auth0.production failed while exporting users: ' +
        'Auth0 refused the client credentials (401 access_denied: Unauthorized): check catalog.providers.auth0.production.clientId ("m2m-client") and catalog.providers.auth0.production.clientSecret, the Client ID and Client Secret of a Machine to Machine application of acme.eu.auth0.com',
    );
  });

  it('says where to authorize an application that has no grant for the Management API', () => {
    expect(
      explain(
        tokenError(403, {
          error: 'access_denied',
          error_description:
            'Client is not authorized to access "https://acme.eu.auth0.com/api/v2/". You need to create a "client-grant" associated to this API.',
        }),
      ),
    ).toMatch(
      /the application m2m-client may not call the Auth0 Management API of acme\.eu\.auth0\.com .*Auth0 Dashboard > Applications > APIs > Auth0 Management API > Machine To Machine Applications, authorize it with read:users, read:roles, read:organizations, read:organization_members/,
    );
  });

  it('names the domain key when the domain cannot be reached', () => {
    const dns = Object.assign(
      new Error('getaddrinfo ENOTFOUND acme.eu.auth0.co'),
      {
        code: 'ENOTFOUND',
      },
    );
    expect(
      explain(
        new TokenRequestError(new TypeError('fetch failed', { cause: dns })),
      ),
    ).toBe(
      'Reading Auth0 tenant acme.eu.auth0.com for catalog.providers.auth0.production failed while exporting users: ' +
        "cannot reach https://acme.eu.auth0.com/oauth/token (ENOTFOUND): check catalog.providers.auth0.production.domain, the tenant's domain such as my-company.eu.auth0.com, and that the backend can reach it",
    );
  });

  it('names the domain key when the host does not answer as Auth0 does', () => {
    expect(explain(tokenError(404, '<html>Not Found</html>'))).toContain(
      "https://acme.eu.auth0.com/oauth/token answered 404, not as Auth0 does: check catalog.providers.auth0.production.domain, the tenant's domain",
    );
  });

  it('names the missing scope and where to grant it', () => {
    const error = new ManagementError({
      statusCode: 403,
      body: {
        statusCode: 403,
        error: 'Forbidden',
        message: 'Insufficient scope, expected any of: read:roles',
        errorCode: 'insufficient_scope',
      },
    });
    expect(explainFailure(error, 'listing roles', context)).toBe(
      'Reading Auth0 tenant acme.eu.auth0.com for catalog.providers.auth0.production failed while listing roles: ' +
        'the Management API token of m2m-client lacks the scope read:roles (403 insufficient_scope: Insufficient scope, expected any of: read:roles): ' +
        'in the Auth0 Dashboard > Applications > APIs > Auth0 Management API > Machine To Machine Applications, grant the application m2m-client read:users, read:roles, read:organizations, read:organization_members',
    );
  });

  it('says that the last complete set stays when Auth0 keeps failing', () => {
    expect(
      explain(
        new ManagementError({
          statusCode: 503,
          body: {
            statusCode: 503,
            error: 'Service Unavailable',
            message: 'Try later',
          },
        }),
      ),
    ).toContain(
      "Auth0 answered 503: Try later after the SDK's retries; the catalog keeps the entities of the last complete run",
    );
    expect(
      explain(
        new ManagementError({
          statusCode: 429,
          body: { message: 'Too Many Requests' },
        }),
      ),
    ).toContain('Auth0 kept answering 429 Too Many Requests');
  });

  it('passes on what a failed export job says', () => {
    expect(
      explain(
        new UserExportJobError('Auth0 user export job job_1 failed: disk full'),
      ),
    ).toBe(
      'Reading Auth0 tenant acme.eu.auth0.com for catalog.providers.auth0.production failed while exporting users: ' +
        'Auth0 user export job job_1 failed: disk full; the catalog keeps the entities of the last complete run',
    );
  });
});

describe('grantedScopes', () => {
  const jwt = (payload: object) =>
    `e30.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;

  it('reads the scope claim of a JWT', () => {
    expect(grantedScopes(jwt({ scope: 'read:users read:roles' }))).toEqual([
      'read:users',
      'read:roles',
    ]);
  });

  it('knows nothing of an opaque token or one without scope', () => {
    expect(grantedScopes('opaque-token')).toBeUndefined();
    expect(grantedScopes(jwt({ sub: 'x' }))).toBeUndefined();
  });
});

describe('requiredScopes', () => {
  it('asks only for what the groups need', () => {
    expect(
      requiredScopes({ fromRoles: false, fromOrganizations: false }),
    ).toEqual(['read:users']);
  });
});

describe('explainMissingScopes', () => {
  it('names what is missing and where to grant it', () => {
    expect(explainMissingScopes(['read:organization_members'], context)).toBe(
      'The Management API token of m2m-client for catalog.providers.auth0.production lacks read:organization_members: ' +
        'in the Auth0 Dashboard > Applications > APIs > Auth0 Management API > Machine To Machine Applications, grant the application m2m-client read:users, read:roles, read:organizations, read:organization_members; until then every run fails',
    );
  });
});
