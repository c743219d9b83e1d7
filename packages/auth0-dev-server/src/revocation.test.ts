import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { createAdminClient, type AdminClient } from './adminClient.ts';
import {
  password,
  refresh,
  revokeRequest,
  startTestStandIn,
  tokensFor,
  userinfo,
  type TestStandIn,
} from './testSupport.ts';

/** Auth0's answer to a refresh with a revoked refresh token. */
const invalidRefreshToken = {
  error: 'invalid_grant',
  error_description: 'Unknown or invalid refresh token.',
};

describe('POST /oauth/revoke', () => {
  let standIn: TestStandIn;
  let admin: AdminClient;

  before(async () => {
    standIn = await startTestStandIn();
    admin = createAdminClient(standIn.server.adminUrl);
  });
  afterEach(() => admin.reset());
  after(() => standIn.stop());

  const revokesAndNoLongerRefreshes = async (as: 'form' | 'json') => {
    const { server } = standIn;
    const browser = standIn.browser();
    const tokens = await tokensFor(browser, server);

    const revoked = await revokeRequest(
      browser,
      server,
      { token: tokens.refresh_token! },
      as,
    );
    assert.equal(revoked.status, 200);
    assert.equal(revoked.body, '');
    assert.equal(revoked.headers.get('content-length'), '0');

    const refused = await refresh(browser, server, tokens.refresh_token!);
    assert.equal(refused.status, 403);
    assert.deepEqual(refused.body, invalidRefreshToken);

    const again = await revokeRequest(
      browser,
      server,
      { token: tokens.refresh_token! },
      as,
    );
    assert.equal(again.status, 200, 'an already revoked token is no error');
    assert.equal(again.body, '');
  };

  it('revokes a refresh token sent as a form: 200, empty body, and it no longer refreshes', () =>
    revokesAndNoLongerRefreshes('form'));

  it('revokes a refresh token sent as JSON: 200, empty body, and it no longer refreshes', () =>
    revokesAndNoLongerRefreshes('json'));

  it('revokes the whole rotation family, and nothing else', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    const first = await tokensFor(browser, server);
    const rotated = await refresh(browser, server, first.refresh_token!);
    assert.equal(rotated.status, 200);
    const other = await tokensFor(standIn.browser(), server);

    // Revoking the first (already rotated) token ends the newest one too.
    const revoked = await revokeRequest(browser, server, {
      token: first.refresh_token!,
    });
    assert.equal(revoked.status, 200);
    const newest = await refresh(browser, server, rotated.body.refresh_token!);
    assert.equal(newest.status, 403);
    assert.deepEqual(newest.body, invalidRefreshToken);

    const unrelated = await refresh(browser, server, other.refresh_token!);
    assert.equal(unrelated.status, 200, "another sign-in's token still works");
    const access = await userinfo(browser, server, rotated.body.access_token!);
    assert.equal(
      access.status,
      200,
      'access tokens already issued stay valid until they expire, as with Auth0',
    );
  });

  it('answers 200 for a token it does not know', async () => {
    const response = await revokeRequest(standIn.browser(), standIn.server, {
      token: 'not-a-refresh-token',
    });
    assert.equal(response.status, 200);
    assert.equal(response.body, '');
  });

  it('refuses a wrong client secret or an unknown client with 401 invalid_client, and keeps the token', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    const tokens = await tokensFor(browser, server);
    for (const [as, credentials] of [
      ['form', { client_secret: 'wrong' }],
      ['json', { client_secret: 'wrong' }],
      ['json', { client_id: 'someone-else' }],
    ] as const) {
      const refused = await revokeRequest(
        browser,
        server,
        { ...credentials, token: tokens.refresh_token! },
        as,
      );
      assert.equal(refused.status, 401, `${as} ${JSON.stringify(credentials)}`);
      const body = JSON.parse(refused.body);
      assert.equal(body.error, 'invalid_client');
      assert.equal(typeof body.error_description, 'string');
    }
    const withoutSecret = await browser.request(
      new URL('oauth/revoke', server.issuer).href,
      {
        method: 'POST',
        json: { client_id: server.clientId, token: tokens.refresh_token },
      },
    );
    assert.equal(withoutSecret.status, 401);

    const stillValid = await refresh(browser, server, tokens.refresh_token!);
    assert.equal(
      stillValid.status,
      200,
      'a refused revocation revokes nothing',
    );
  });

  it('answers 400 invalid_request for a missing token or client_id, or a body it cannot read', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    const url = new URL('oauth/revoke', server.issuer).href;

    const noToken = await revokeRequest(browser, server, {}, 'json');
    assert.equal(noToken.status, 400);
    assert.deepEqual(JSON.parse(noToken.body), {
      error: 'invalid_request',
      error_description: 'Missing required parameter: token',
    });

    const noClient = await browser.request(url, {
      method: 'POST',
      form: { client_secret: server.clientSecret, token: 'x' },
    });
    assert.equal(noClient.status, 400);
    assert.deepEqual(JSON.parse(noClient.body), {
      error: 'invalid_request',
      error_description: 'Missing required parameter: client_id',
    });

    for (const [contentType, body, description] of [
      ['application/json', '{"token":', /not valid JSON/],
      ['application/json', '["token"]', /must be a JSON object/],
      ['application/json', '{"client_id":1,"token":"x"}', /client_id/],
      ['text/plain', 'token=x', /Unsupported content-type "text\/plain"/],
    ] as const) {
      const response = await browser.request(url, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
      });
      assert.equal(response.status, 400, body);
      const answer = JSON.parse(response.body);
      assert.equal(answer.error, 'invalid_request');
      assert.match(answer.error_description, description);
    }
  });

  it('counts revocations per endpoint and per user, and the admin API lists the tokens left', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    const tokens = await tokensFor(browser, server, {
      email: 'sam@example.com',
      password,
    });
    assert.equal((await admin.refreshTokens('auth0|sam')).length, 1);
    const [listed] = await admin.refreshTokens('auth0|sam');
    assert.equal(listed.sub, 'auth0|sam');
    assert.equal(listed.email, 'sam@example.com');
    assert.equal(listed.organization, null);
    assert.equal(listed.rotations, 0);
    assert.ok(!JSON.stringify(listed).includes(tokens.refresh_token!));

    await admin.resetCounters();
    await revokeRequest(browser, server, { token: tokens.refresh_token! });
    await revokeRequest(browser, server, { token: 'unknown' }, 'json');
    await revokeRequest(browser, server, {
      token: tokens.refresh_token!,
      client_secret: 'wrong',
    });

    const counters = await admin.counters();
    assert.deepEqual(counters.endpoints.revoke, {
      requests: 3,
      byStatus: { '200': 2, '401': 1 },
    });
    assert.deepEqual(counters.users['auth0|sam'], {
      email: 'sam@example.com',
      requests: { revoke: 1 },
    });
    assert.deepEqual(await admin.refreshTokens('auth0|sam'), []);
  });

  it('adds the revoke latency knob', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    const knobs = await admin.setLatency({ revoke: 300 });
    assert.equal(knobs.latencyMs.revoke, 300);
    const start = performance.now();
    const response = await revokeRequest(browser, server, { token: 'x' });
    const took = performance.now() - start;
    assert.equal(response.status, 200);
    assert.ok(took >= 300, `revoke took ${took} ms`);
  });
});
