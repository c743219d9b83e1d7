// The sign-in application as the Management API shows it (GET /api/v2/clients/{id}), the admin
// route that changes it as an Auth0 admin would, and the OIDC side keeping to what it says:
// callbacks, logout URLs, the refresh grant and the reuse interval.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { ManagementClient, ManagementError } from 'auth0';
import { createAdminClient, type AdminClient } from './adminClient.ts';
import { caTrustingFetch, type CaTrustingFetch } from './caTrustingFetch.ts';
import type { Auth0DevServer } from './server.ts';
import {
  authorizeUrl,
  exchangeCode,
  managementApiRequest,
  managementToken,
  refresh,
  signIn,
  startTestStandIn,
  tokensFor,
  type TestStandIn,
} from './testSupport.ts';

describe('the sign-in application (GET /api/v2/clients/{id})', () => {
  let standIn: TestStandIn;
  let server: Auth0DevServer;
  let admin: AdminClient;

  before(async () => {
    standIn = await startTestStandIn({ refreshTokenLeeway: 30 });
    server = standIn.server;
    admin = createAdminClient(server.adminUrl);
  });
  afterEach(() => admin.reset());
  after(() => standIn.stop());

  const getClient = async (id: string, query = '') => {
    const browser = standIn.browser();
    return managementApiRequest(
      browser,
      server,
      await managementToken(browser, server),
      `clients/${encodeURIComponent(id)}${query}`,
    );
  };

  it("shows the application's settings in Auth0's shape, without its secret", async () => {
    const { status, body } = await getClient(server.clientId);
    assert.equal(status, 200);
    assert.equal(body.client_id, server.clientId);
    assert.equal(body.app_type, 'regular_web');
    assert.equal(body.tenant, 'localhost');
    assert.deepEqual(body.callbacks, [
      'http://localhost:*/api/auth/auth0/handler/frame',
    ]);
    assert.deepEqual(body.allowed_logout_urls, ['http://localhost:3000']);
    assert.deepEqual(body.grant_types, ['authorization_code', 'refresh_token']);
    assert.equal(body.oidc_conformant, true);
    assert.equal(body.token_endpoint_auth_method, 'client_secret_post');
    assert.deepEqual(body.jwt_configuration, {
      alg: 'RS256',
      lifetime_in_seconds: 36000,
      secret_encoded: false,
    });
    assert.deepEqual(body.refresh_token, {
      expiration_type: 'expiring',
      leeway: 30,
      token_lifetime: 2592000,
      idle_token_lifetime: 1296000,
      infinite_token_lifetime: false,
      infinite_idle_token_lifetime: true,
      rotation_type: 'rotating',
    });
    assert.equal(body.client_secret, undefined, 'read:clients shows no keys');

    const some = await getClient(
      server.clientId,
      '?fields=callbacks,grant_types',
    );
    assert.deepEqual(Object.keys(some.body), ['callbacks', 'grant_types']);
  });

  it('shows the machine-to-machine application, and 404 for an unknown one', async () => {
    const m2m = await getClient(server.managementClientId);
    assert.equal(m2m.status, 200);
    assert.equal(m2m.body.app_type, 'non_interactive');
    assert.deepEqual(m2m.body.grant_types, ['client_credentials']);

    const unknown = await getClient('nobody');
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body, {
      statusCode: 404,
      error: 'Not Found',
      message: 'Client not found.',
      errorCode: 'inexistent_client',
    });
  });

  it('needs read:clients (or read:client_keys, which also shows the secret)', async () => {
    await admin.setManagementScopes(['read:users']);
    const refused = await getClient(server.clientId);
    assert.equal(refused.status, 403);
    assert.equal(
      refused.body.message,
      'Insufficient scope, expected any of: read:clients,read:client_keys',
    );

    await admin.setManagementScopes(['read:client_keys']);
    const withKeys = await getClient(server.clientId);
    assert.equal(withKeys.status, 200);
    assert.equal(withKeys.body.client_secret, server.clientSecret);
  });

  it('is what the auth0 SDK reads', async () => {
    const trustingFetch: CaTrustingFetch = caTrustingFetch(server.caFile);
    try {
      const management = new ManagementClient({
        domain: server.domain,
        clientId: server.managementClientId,
        clientSecret: server.managementClientSecret,
        fetch: trustingFetch,
      });
      const application = await management.clients.get(server.clientId);
      assert.equal(application.refresh_token?.rotation_type, 'rotating');
      assert.equal(application.refresh_token?.leeway, 30);
      await assert.rejects(
        management.clients.get('nobody'),
        (error: unknown) =>
          error instanceof ManagementError && error.statusCode === 404,
      );
    } finally {
      await trustingFetch.close();
    }
  });

  it('changes through the admin API, all of a patch or none of it, until reset', async () => {
    const changed = await admin.updateClient(server.clientId, {
      callbacks: ['https://backstage.example.com/api/auth/auth0/handler/frame'],
      grant_types: ['authorization_code'],
      oidc_conformant: false,
      jwt_configuration: { alg: 'HS256' },
      refresh_token: { rotation_type: 'non-rotating', leeway: 0 },
    });
    assert.deepEqual(changed.callbacks, [
      'https://backstage.example.com/api/auth/auth0/handler/frame',
    ]);
    assert.deepEqual(changed.grant_types, ['authorization_code']);
    assert.equal(changed.oidc_conformant, false);
    assert.equal(changed.jwt_configuration.alg, 'HS256');
    assert.equal(changed.refresh_token.rotation_type, 'non-rotating');
    assert.equal(changed.refresh_token.leeway, 0);
    assert.equal((await admin.knobs()).refreshTokenRotation, false);
    assert.deepEqual((await getClient(server.clientId)).body.grant_types, [
      'authorization_code',
    ]);

    await assert.rejects(
      admin.updateClient(server.clientId, {
        callbacks: ['not a url'],
        grant_types: ['implicit'],
        refresh_token: { leeway: -1, token_lifetime: 5 },
        name: 'x',
      } as never),
      (error: Error) => {
        assert.match(error.message, /answered 400/);
        assert.match(error.message, /unknown field \\"name\\"/);
        assert.match(error.message, /callbacks: callback URL \\"not a url\\"/);
        assert.match(error.message, /grant_types must be a list of/);
        assert.match(error.message, /refresh_token.leeway must be a whole/);
        assert.match(error.message, /refresh_token.token_lifetime cannot/);
        return true;
      },
    );
    assert.deepEqual((await admin.client(server.clientId)).grant_types, [
      'authorization_code',
    ]);
    await assert.rejects(
      admin.updateClient(server.managementClientId, { callbacks: [] }),
      /answered 501/,
    );
    await assert.rejects(admin.client('nobody'), /answered 404/);

    await admin.reset();
    const reset = await admin.client(server.clientId);
    assert.deepEqual(reset.grant_types, [
      'authorization_code',
      'refresh_token',
    ]);
    assert.equal(reset.refresh_token.leeway, 30, 'back to the start option');
    assert.equal(reset.refresh_token.rotation_type, 'rotating');
  });

  it('changes through PATCH /api/v2/clients/{id} with update:clients', async () => {
    const browser = standIn.browser();
    const patch = (token: string, json: unknown) =>
      managementApiRequest(
        browser,
        server,
        token,
        `clients/${server.clientId}`,
        { method: 'PATCH', json },
      );
    const readOnly = await managementToken(browser, server);
    assert.equal(
      (await patch(readOnly, { oidc_conformant: false })).status,
      403,
    );

    await admin.setManagementScopes(['read:clients', 'update:clients']);
    const token = await managementToken(browser, server);
    const changed = await patch(token, { refresh_token: { leeway: 60 } });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.refresh_token.leeway, 60);
    const refused = await patch(token, { grant_types: 'refresh_token' });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.errorCode, 'invalid_body');
    assert.match(refused.body.message, /^Payload validation error: /);
  });
});

describe('the OIDC side keeps to the application', () => {
  let standIn: TestStandIn;
  let server: Auth0DevServer;
  let admin: AdminClient;

  before(async () => {
    standIn = await startTestStandIn();
    server = standIn.server;
    admin = createAdminClient(server.adminUrl);
  });
  afterEach(() => admin.reset());
  after(() => standIn.stop());

  it('refuses a callback URL that is no longer allowed', async () => {
    await admin.updateClient(server.clientId, {
      callbacks: ['http://localhost:7007/api/auth/auth0/handler/frame'],
    });
    const refused = await standIn.browser().get(authorizeUrl(server));
    assert.equal(refused.status, 400);
    assert.equal(refused.location, undefined);
    assert.match(refused.body, /redirect_uri/);
    assert.match(refused.body, /PATCH \/clients\/\{id\}/);
  });

  it('refuses a logout URL that is no longer allowed', async () => {
    await admin.updateClient(server.clientId, {
      allowed_logout_urls: ['https://backstage.example.com'],
    });
    const logout = new URL('v2/logout', server.issuer);
    logout.searchParams.set('client_id', server.clientId);
    logout.searchParams.set('returnTo', 'http://localhost:3000');
    const refused = await standIn.browser().get(logout.href);
    assert.equal(refused.status, 400);
    assert.match(refused.body, /Allowed Logout URLs/);
    logout.searchParams.set('returnTo', 'https://backstage.example.com');
    assert.equal((await standIn.browser().get(logout.href)).status, 302);
  });

  it('refuses refreshes as Auth0 does once the Refresh Token grant is off, and issues no refresh token', async () => {
    const browser = standIn.browser();
    const signedIn = await tokensFor(browser, server);
    await admin.updateClient(server.clientId, {
      grant_types: ['authorization_code'],
    });

    const refused = await refresh(browser, server, signedIn.refresh_token!);
    assert.equal(refused.status, 403);
    assert.deepEqual(refused.body, {
      error: 'unauthorized_client',
      error_description:
        "Grant type 'refresh_token' not allowed for the client.",
    });

    const params = await signIn(standIn.browser(), server);
    const { status, body } = await exchangeCode(
      browser,
      server,
      params.get('code')!,
    );
    assert.equal(status, 200);
    assert.equal(body.refresh_token, undefined);
    assert.doesNotMatch(body.scope ?? '', /offline_access/);
  });

  it('answers a rotated refresh token within the reuse interval, and revokes the family after it', async () => {
    await admin.updateClient(server.clientId, {
      refresh_token: { leeway: 30 },
    });
    const browser = standIn.browser();
    const first = await tokensFor(browser, server);
    const rotated = await refresh(browser, server, first.refresh_token!);
    assert.equal(rotated.status, 200);
    const reused = await refresh(browser, server, first.refresh_token!);
    assert.equal(reused.status, 200, JSON.stringify(reused.body));
    assert.notEqual(reused.body.refresh_token, rotated.body.refresh_token);
    assert.equal(
      (await refresh(browser, server, rotated.body.refresh_token!)).status,
      200,
      'the family lives on',
    );

    await admin.updateClient(server.clientId, {
      refresh_token: { leeway: 0 },
    });
    const again = await refresh(browser, server, first.refresh_token!);
    assert.equal(again.status, 403);
    assert.equal(again.body.error, 'invalid_grant');
  });

  it('takes the start callbacks back on reset', async () => {
    await admin.updateClient(server.clientId, { callbacks: [] });
    const refused = await standIn.browser().get(authorizeUrl(server));
    assert.equal(refused.status, 400);
    await admin.reset();
    const params = await signIn(standIn.browser(), server);
    assert.ok(params.get('code'));
  });
});
