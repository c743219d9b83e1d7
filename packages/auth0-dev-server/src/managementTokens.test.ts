import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, afterEach, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { createAdminClient, type AdminClient } from './adminClient.ts';
import type { Browser } from './browser.ts';
import type { Auth0DevServer } from './server.ts';
import {
  managementApiRequest,
  managementToken,
  managementTokenRequest,
  startTestStandIn,
  tokenRequest,
  type TestStandIn,
} from './testSupport.ts';

describe('Management API tokens for the machine-to-machine application', () => {
  let standIn: TestStandIn;
  let server: Auth0DevServer;
  let admin: AdminClient;
  let browser: Browser;

  before(async () => {
    standIn = await startTestStandIn();
    server = standIn.server;
    admin = createAdminClient(server.adminUrl);
    browser = standIn.browser();
  });
  afterEach(() => admin.reset());
  after(() => standIn.stop());

  it('issues a JWT signed by the tenant key with the granted scopes, as Auth0 does', async () => {
    assert.equal(server.managementClientId, 'backstage-catalog');
    assert.match(server.managementClientSecret, /^[\w-]{40,}$/);
    assert.equal(
      server.managementAudience,
      `https://localhost:${server.port}/api/v2/`,
    );

    const { status, body } = await managementTokenRequest(browser, server);
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body).sort(), [
      'access_token',
      'expires_in',
      'scope',
      'token_type',
    ]);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 86400);
    assert.equal(
      body.scope,
      'read:users read:roles read:organizations read:organization_members read:clients',
    );

    const jwks = await browser.get(
      new URL('.well-known/jwks.json', server.issuer).href,
    );
    const { payload, protectedHeader } = await jwtVerify(
      body.access_token!,
      createLocalJWKSet(JSON.parse(jwks.body)),
      { issuer: server.issuer, audience: server.managementAudience },
    );
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(protectedHeader.typ, 'JWT');
    assert.equal(payload.sub, 'backstage-catalog@clients');
    assert.equal(payload.azp, 'backstage-catalog');
    assert.equal(payload.gty, 'client-credentials');
    assert.equal(payload.scope, body.scope);
    assert.equal(payload.exp! - payload.iat!, 86400);

    const counters = await admin.counters();
    assert.deepEqual(counters.managementApi.token, {
      requests: 1,
      byStatus: { '200': 1 },
    });
  });

  it('refuses wrong credentials, other audiences and scopes it did not grant, in Auth0 words', async () => {
    const wrongSecret = await managementTokenRequest(browser, server, {
      client_secret: 'not-the-secret',
    });
    assert.equal(wrongSecret.status, 401);
    assert.deepEqual(wrongSecret.body, {
      error: 'access_denied',
      error_description: 'Unauthorized',
    });
    const unknownClient = await managementTokenRequest(browser, server, {
      client_id: 'nobody',
    });
    assert.equal(unknownClient.status, 401);
    assert.deepEqual(unknownClient.body, wrongSecret.body);

    const noAudience = await managementTokenRequest(browser, server, {
      audience: '',
    });
    assert.equal(noAudience.status, 403);
    assert.deepEqual(noAudience.body, {
      error: 'access_denied',
      error_description:
        'No audience parameter was provided, and no default audience has been configured',
    });
    const otherApi = await managementTokenRequest(browser, server, {
      audience: 'https://api.example.com/',
    });
    assert.equal(otherApi.status, 403);
    assert.deepEqual(otherApi.body, {
      error: 'access_denied',
      error_description:
        'Service not enabled within domain: https://api.example.com/',
    });

    const notGranted = await managementTokenRequest(browser, server, {
      scope: 'read:users delete:users',
    });
    assert.equal(notGranted.status, 403);
    assert.deepEqual(notGranted.body, {
      error: 'access_denied',
      error_description: 'Client has not been granted scopes: delete:users',
    });
    const subset = await managementTokenRequest(browser, server, {
      scope: 'read:roles',
    });
    assert.equal(subset.status, 200);
    assert.equal(subset.body.scope, 'read:roles');

    // The sign-in application is a Regular Web Application: no client credentials.
    const signInClient = await tokenRequest(browser, server, {
      grant_type: 'client_credentials',
      audience: server.managementAudience,
    });
    assert.equal(signInClient.status, 403);
    assert.deepEqual(signInClient.body, {
      error: 'unauthorized_client',
      error_description:
        "Grant type 'client_credentials' not allowed for the client.",
    });

    const { managementApi } = await admin.counters();
    assert.deepEqual(managementApi.token.byStatus, {
      '200': 1,
      '401': 2,
      '403': 4,
    });
  });

  it('answers 403 insufficient_scope when the token lacks every scope the endpoint takes', async () => {
    await admin.setManagementScopes(['read:roles']);
    const token = await managementToken(browser, server);
    assert.equal(decodeJwt(token).scope, 'read:roles');

    const users = await managementApiRequest(browser, server, token, 'users');
    assert.equal(users.status, 403);
    assert.deepEqual(users.body, {
      statusCode: 403,
      error: 'Forbidden',
      message:
        'Insufficient scope, expected any of: read:users,read:user_idp_tokens',
      errorCode: 'insufficient_scope',
    });
    const job = await managementApiRequest(
      browser,
      server,
      token,
      'jobs/users-exports',
      { json: { format: 'json' } },
    );
    assert.equal(job.status, 403);
    assert.equal(
      job.body.message,
      'Insufficient scope, expected any of: read:users',
    );
    const members = await managementApiRequest(
      browser,
      server,
      token,
      'organizations/org_examplecorp/members',
    );
    assert.equal(
      members.body.message,
      'Insufficient scope, expected any of: read:organization_members',
    );
    // read:roles is one of the scopes a role's users take.
    const roleUsers = await managementApiRequest(
      browser,
      server,
      token,
      'roles/rol_PlatformTeam0001/users',
    );
    assert.equal(roleUsers.status, 200);

    // A token issued before the change keeps its scopes, as Auth0's JWTs do.
    await admin.setManagementScopes(['read:users']);
    assert.equal(
      (await managementApiRequest(browser, server, token, 'users')).status,
      403,
    );
    const fresh = await managementToken(browser, server);
    assert.equal(
      (await managementApiRequest(browser, server, fresh, 'users')).status,
      200,
    );
  });

  it('answers 401 without a token, with a token it did not issue, and with an expired one', async () => {
    const none = await managementApiRequest(
      browser,
      server,
      undefined,
      'users',
    );
    assert.equal(none.status, 401);
    assert.deepEqual(none.body, {
      statusCode: 401,
      error: 'Unauthorized',
      message: 'Missing authentication',
    });

    const forged = await managementApiRequest(
      browser,
      server,
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl',
      'users',
    );
    assert.equal(forged.status, 401);
    assert.deepEqual(forged.body, {
      statusCode: 401,
      error: 'Unauthorized',
      message: 'Invalid token',
      attributes: { error: 'Invalid token' },
    });

    await admin.updateKnobs({ managementTokenLifetimeSeconds: 1 });
    const { body } = await managementTokenRequest(browser, server);
    assert.equal(body.expires_in, 1);
    const token = body.access_token!;
    assert.equal(
      (await managementApiRequest(browser, server, token, 'roles')).status,
      200,
    );
    // Wait on the clock until the token's exp has passed, then use it again.
    const expiresAt = decodeJwt(token).exp! * 1000;
    await sleep(Math.max(0, expiresAt - Date.now()) + 50);
    const expired = await managementApiRequest(browser, server, token, 'roles');
    assert.equal(expired.status, 401);
    assert.deepEqual(expired.body, {
      statusCode: 401,
      error: 'Unauthorized',
      message: 'Expired token received for JSON Web Token validation',
      attributes: {
        error: 'Expired token received for JSON Web Token validation',
      },
    });
  });

  it('tells the machine-to-machine application in GET / of the admin API', async () => {
    const info = (await (await fetch(server.adminUrl)).json()) as Record<
      string,
      unknown
    >;
    assert.equal(info.managementClientId, 'backstage-catalog');
    assert.equal(info.managementClientSecret, server.managementClientSecret);
    assert.equal(info.managementAudience, server.managementAudience);
  });
});
