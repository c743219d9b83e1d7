import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { createAdminClient, type AdminClient } from './adminClient.ts';
import type { Browser } from './browser.ts';
import type { Auth0DevServer } from './server.ts';
import {
  authorizeUrl,
  callbackParams,
  callbackUrl,
  exchangeCode,
  refresh,
  signIn,
  startTestStandIn,
  tokensFor,
  userinfo,
  type TestStandIn,
} from './testSupport.ts';

describe('the knobs of the admin API', () => {
  let standIn: TestStandIn;
  let admin: AdminClient;

  before(async () => {
    standIn = await startTestStandIn();
    admin = createAdminClient(standIn.server.adminUrl);
  });
  afterEach(() => admin.reset());
  after(() => standIn.stop());

  it('adds latency per endpoint', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    const { refresh_token: refreshToken } = await tokensFor(browser, server);
    const jwksUrl = new URL('.well-known/jwks.json', server.issuer).href;

    const timed = async (action: () => Promise<unknown>) => {
      const start = performance.now();
      await action();
      return performance.now() - start;
    };
    const baseline = await timed(() => browser.get(jwksUrl));
    assert.ok(baseline < 300, `baseline ${baseline} ms`);

    const knobs = await admin.setLatency({ jwks: 400, token: 300 });
    assert.equal(knobs.latencyMs.jwks, 400);
    assert.ok((await timed(() => browser.get(jwksUrl))) >= 400);
    const refreshed = await timed(async () => {
      const { status } = await refresh(browser, server, refreshToken!);
      assert.equal(status, 200);
    });
    assert.ok(refreshed >= 300, `token took ${refreshed} ms`);

    await admin.setLatency({ jwks: 0 });
    assert.ok((await timed(() => browser.get(jwksUrl))) < 300);
  });

  it('redirects /authorize back with access_denied and a description', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    await admin.failAuthorize({ errorDescription: 'Blocked by a test' });
    const response = await browser.get(
      authorizeUrl(server, { state: 'denied-state' }),
    );
    assert.equal(response.status, 302);
    const params = callbackParams(response);
    assert.equal(params.get('error'), 'access_denied');
    assert.equal(params.get('error_description'), 'Blocked by a test');
    assert.equal(params.get('state'), 'denied-state');

    const refused = await browser.get(
      authorizeUrl(server, { redirect_uri: 'https://evil.example/cb' }),
    );
    assert.equal(
      refused.status,
      400,
      'never redirects to a URL the client may not use',
    );

    await admin.clearFailures();
    const page = await browser.get(authorizeUrl(server));
    assert.notEqual(
      new URL(page.location!).searchParams.get('error'),
      'access_denied',
    );
  });

  it('answers 5xx from /oauth/token while told to', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    const params = await signIn(browser, server);
    await admin.failToken(503);
    const failed = await exchangeCode(browser, server, params.get('code')!);
    assert.equal(failed.status, 503);
    assert.equal(failed.body.error, 'server_error');

    await admin.clearFailures();
    const ok = await exchangeCode(browser, server, params.get('code')!);
    assert.equal(
      ok.status,
      200,
      'the code was not used up by the forced failure',
    );
  });

  it('answers 429 from /oauth/token as Auth0 does when rate-limited, without Retry-After', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    const params = await signIn(browser, server);
    const knobs = await admin.failToken(429);
    assert.equal(knobs.tokenErrorStatus, 429);
    assert.equal(knobs.tokenRetryAfterSeconds, null);

    const sentAt = Math.floor(Date.now() / 1000);
    const limited = await tokenRequestRaw(browser, server, params.get('code')!);
    const answeredAt = Math.ceil(Date.now() / 1000);
    assert.equal(limited.status, 429);
    assert.deepEqual(JSON.parse(limited.body), {
      error: 'too_many_requests',
      error_description:
        'Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers.',
    });
    assert.equal(limited.headers.get('x-ratelimit-limit'), '30');
    assert.equal(limited.headers.get('x-ratelimit-remaining'), '0');
    const reset = Number(limited.headers.get('x-ratelimit-reset'));
    assert.ok(
      Number.isInteger(reset) && reset > sentAt && reset <= answeredAt + 1,
      `x-ratelimit-reset ${reset} is Unix epoch seconds, the next second`,
    );
    assert.equal(limited.headers.get('retry-after'), null);

    await admin.clearFailures();
    const ok = await exchangeCode(browser, server, params.get('code')!);
    assert.equal(ok.status, 200, 'the code was not used up by the 429');
  });

  it('adds Retry-After to forced token failures while tokenRetryAfterSeconds is set', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    const { refresh_token: refreshToken } = await tokensFor(browser, server);

    const knobs = await admin.rateLimitToken({ retryAfterSeconds: 7 });
    assert.equal(knobs.tokenErrorStatus, 429);
    assert.equal(knobs.tokenRetryAfterSeconds, 7);
    const sentAt = Math.floor(Date.now() / 1000);
    const limited = await refreshRaw(browser, server, refreshToken!);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '7');
    const reset = Number(limited.headers.get('x-ratelimit-reset'));
    assert.ok(
      reset >= sentAt + 7 && reset <= sentAt + 9,
      `x-ratelimit-reset ${reset} agrees with Retry-After`,
    );

    await admin.failToken(503);
    const unavailable = await refreshRaw(browser, server, refreshToken!);
    assert.equal(unavailable.status, 503);
    assert.equal(JSON.parse(unavailable.body).error, 'server_error');
    assert.equal(unavailable.headers.get('retry-after'), '7');
    assert.equal(unavailable.headers.get('x-ratelimit-limit'), null);

    await admin.setTokenRetryAfter(null);
    const withoutRetryAfter = await refreshRaw(browser, server, refreshToken!);
    assert.equal(withoutRetryAfter.status, 503);
    assert.equal(withoutRetryAfter.headers.get('retry-after'), null);

    await admin.setTokenRetryAfter(3);
    const cleared = await admin.clearFailures();
    assert.equal(cleared.tokenErrorStatus, null);
    assert.equal(cleared.tokenRetryAfterSeconds, null);
    const refreshed = await refreshRaw(browser, server, refreshToken!);
    assert.equal(refreshed.status, 200);
    assert.equal(refreshed.headers.get('retry-after'), null);
  });

  it('refuses connections on the main port, then accepts them again', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    const discovery = new URL('.well-known/openid-configuration', server.issuer)
      .href;
    assert.equal((await browser.get(discovery)).status, 200);

    const knobs = await admin.refuseConnections();
    assert.equal(knobs.refuseConnections, true);
    await assert.rejects(browser.get(discovery), (error: Error) => {
      // undici puts the socket error in `cause` (an AggregateError when it tried IPv4 and IPv6).
      const cause = error.cause as
        | { code?: string; errors?: Array<{ code?: string }> }
        | undefined;
      const codes = [cause?.code, ...(cause?.errors ?? []).map(e => e.code)];
      assert.ok(codes.includes('ECONNREFUSED'), `${error.message} ${codes}`);
      return true;
    });
    assert.equal(
      (await admin.knobs()).refuseConnections,
      true,
      'the admin API still answers',
    );

    await admin.acceptConnections();
    assert.equal((await browser.get(discovery)).status, 200);
  });

  it('counts requests per endpoint and per user, and resets the counts', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    await admin.resetCounters();
    const tokens = await tokensFor(browser, server, {
      email: 'sam@example.com',
      password: 'password',
    });
    await userinfo(browser, server, tokens.access_token!);
    await userinfo(browser, server, tokens.access_token!, 'header');
    await browser.get(new URL('.well-known/jwks.json', server.issuer).href);

    const counters = await admin.counters();
    assert.equal(counters.endpoints.userinfo.requests, 2);
    assert.equal(counters.endpoints.userinfo.byStatus['200'], 2);
    assert.equal(counters.endpoints.token.requests, 1);
    assert.equal(counters.endpoints.login.requests, 1);
    assert.equal(counters.endpoints.jwks.requests, 1);
    assert.ok(
      counters.endpoints.authorize.requests >= 2,
      'the request and its resume',
    );
    assert.deepEqual(counters.users['auth0|sam'], {
      email: 'sam@example.com',
      requests: {
        authorize: 1,
        login: 1,
        token: 1,
        userinfo: 2,
      },
    });

    const reset = await admin.resetCounters();
    assert.equal(reset.endpoints.userinfo.requests, 0);
    assert.deepEqual(reset.users, {});
    assert.deepEqual((await admin.counters()).users, {});
  });

  it('limits /userinfo to bursts of 10 per user, then answers 429 with Retry-After', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    const chris = await tokensFor(browser, server);
    const alex = await tokensFor(standIn.browser(), server, {
      email: 'alex@example.com',
      password: 'password',
    });

    for (let request = 1; request <= 10; request += 1) {
      const response = await userinfo(
        browser,
        server,
        chris.access_token!,
        request % 2 ? 'query' : 'header',
      );
      assert.equal(response.status, 200, `request ${request}`);
    }
    const limited = await userinfo(browser, server, chris.access_token!);
    assert.equal(limited.status, 429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 12, `Retry-After ${retryAfter}`);
    assert.equal(JSON.parse(limited.body).error, 'too_many_requests');

    const otherUser = await userinfo(browser, server, alex.access_token!);
    assert.equal(otherUser.status, 200, 'the limit is per user');
    const counters = await admin.counters();
    assert.equal(counters.users['auth0|chris'].requests.userinfo, 11);
    assert.equal(counters.endpoints.userinfo.byStatus['429'], 1);
  });

  it('does not limit /userinfo with the limit switched off', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    const tokens = await tokensFor(browser, server);
    await admin.setUserinfoRateLimit(false);
    for (let request = 1; request <= 15; request += 1) {
      const response = await userinfo(browser, server, tokens.access_token!);
      assert.equal(response.status, 200, `request ${request}`);
    }
  });

  it('switches refresh-token rotation through the admin API', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    await admin.setRefreshTokenRotation(false);
    const tokens = await tokensFor(browser, server);
    const first = await refresh(browser, server, tokens.refresh_token!);
    assert.equal(first.body.refresh_token, tokens.refresh_token);

    await admin.setRefreshTokenRotation(true);
    const rotated = await refresh(browser, server, tokens.refresh_token!);
    assert.notEqual(rotated.body.refresh_token, tokens.refresh_token);
  });

  it('rejects unknown knobs and bad values, naming each', async () => {
    const response = await fetch(new URL('knobs', standIn.server.adminUrl), {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        latencyMs: { tokn: 5 },
        tokenErrorStatus: 404,
        tokenRetryAfterSeconds: 'soon',
        rotate: true,
      }),
    });
    assert.equal(response.status, 400);
    const { problems } = await response.json();
    assert.equal(problems.length, 4);
    assert.match(problems.join('\n'), /unknown knob "rotate"/);
    assert.match(problems.join('\n'), /latencyMs\.tokn/);
    assert.match(problems.join('\n'), /tokenErrorStatus must be null, 429/);
    assert.match(problems.join('\n'), /tokenRetryAfterSeconds/);
    assert.equal(
      (await admin.knobs()).tokenErrorStatus,
      null,
      'nothing changed',
    );
    for (const bad of [-1, 1.5, 86_401]) {
      await assert.rejects(
        admin.setTokenRetryAfter(bad),
        /tokenRetryAfterSeconds must be null or a whole number/,
      );
    }
  });
});

/** POST /oauth/token with a code, keeping the headers of the answer. */
function tokenRequestRaw(
  browser: Browser,
  server: Auth0DevServer,
  code: string,
) {
  return browser.post(new URL('oauth/token', server.issuer).href, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: callbackUrl,
    client_id: server.clientId,
    client_secret: server.clientSecret,
  });
}

function refreshRaw(
  browser: Browser,
  server: Auth0DevServer,
  refreshToken: string,
) {
  return browser.post(new URL('oauth/token', server.issuer).href, {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: server.clientId,
    client_secret: server.clientSecret,
  });
}
