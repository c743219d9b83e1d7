import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { createAdminClient, type AdminClient } from './adminClient.ts';
import type { Browser } from './browser.ts';
import type { Auth0DevServer } from './server.ts';
import {
  managementApiRequest,
  managementToken,
  startTestStandIn,
  type TestStandIn,
} from './testSupport.ts';

const globalLimit = {
  statusCode: 429,
  error: 'Too Many Requests',
  message: 'Global limit has been reached',
  errorCode: 'too_many_requests',
};

describe('Management API rate limits, forced failures and counters', () => {
  let standIn: TestStandIn;
  let server: Auth0DevServer;
  let admin: AdminClient;
  let browser: Browser;
  let token: string;
  const get = (path: string) =>
    managementApiRequest(browser, server, token, path);

  before(async () => {
    standIn = await startTestStandIn();
    server = standIn.server;
    admin = createAdminClient(server.adminUrl);
    browser = standIn.browser();
    token = await managementToken(browser, server);
  });
  afterEach(() => admin.reset());
  after(() => standIn.stop());

  it('sends x-ratelimit-* headers on every answer', async () => {
    const sentAt = Math.floor(Date.now() / 1000);
    const { status, headers } = await get('roles');
    assert.equal(status, 200);
    assert.equal(headers.get('x-ratelimit-limit'), '10');
    const remaining = Number(headers.get('x-ratelimit-remaining'));
    assert.ok(remaining >= 0 && remaining < 10);
    const reset = Number(headers.get('x-ratelimit-reset'));
    assert.ok(reset >= sentAt && reset <= sentAt + 10, `reset ${reset}`);
    assert.equal(headers.get('retry-after'), null);
  });

  it('answers 429 as Auth0 does for the next N requests, then recovers', async () => {
    const knobs = await admin.rateLimitManagement({ count: 2 });
    assert.deepEqual(knobs.managementFailure, {
      status: 429,
      count: 2,
      skip: 0,
      endpoints: null,
      resetSeconds: 1,
      retryAfterSeconds: null,
    });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const sentAt = Math.floor(Date.now() / 1000);
      const limited = await get('users');
      assert.equal(limited.status, 429);
      assert.deepEqual(limited.body, globalLimit);
      assert.equal(limited.headers.get('x-ratelimit-limit'), '10');
      assert.equal(limited.headers.get('x-ratelimit-remaining'), '0');
      const reset = Number(limited.headers.get('x-ratelimit-reset'));
      assert.ok(reset >= sentAt + 1 && reset <= sentAt + 2, `reset ${reset}`);
      assert.equal(
        limited.headers.get('retry-after'),
        null,
        'the Management API sends no Retry-After',
      );
    }
    assert.equal((await admin.knobs()).managementFailure, null, 'used up');
    assert.equal((await get('users')).status, 200);

    const { managementApi } = await admin.counters();
    assert.deepEqual(managementApi.users, {
      requests: 3,
      byStatus: { '200': 1, '429': 2 },
    });
  });

  it('fails one endpoint in the middle of a run with a 5xx', async () => {
    await admin.failManagement(503, {
      skip: 2,
      count: 1,
      endpoints: ['roleUsers'],
      retryAfterSeconds: 5,
    });
    const statuses: number[] = [];
    for (let call = 0; call < 4; call += 1) {
      assert.equal((await get('roles')).status, 200, 'other endpoints pass');
      const page = await get('roles/rol_PlatformTeam0001/users?take=1');
      statuses.push(page.status);
      if (page.status === 503) {
        assert.deepEqual(page.body, {
          statusCode: 503,
          error: 'Service Unavailable',
          message: 'auth0-dev-server: forced 503 (managementFailure)',
        });
        assert.equal(page.headers.get('retry-after'), '5');
      }
    }
    assert.deepEqual(statuses, [200, 200, 503, 200]);
    const { managementApi } = await admin.counters();
    assert.deepEqual(managementApi.roleUsers.byStatus, { '200': 3, '503': 1 });
    assert.deepEqual(managementApi.roles.byStatus, { '200': 4 });
  });

  it('keeps failing until cleared when count is null, and validates the knob', async () => {
    await admin.updateKnobs({
      managementFailure: { status: 500, count: null },
    });
    for (let call = 0; call < 3; call += 1) {
      assert.equal((await get('organizations')).status, 500);
    }
    await admin.clearManagementFailure();
    assert.equal((await get('organizations')).status, 200);

    await assert.rejects(
      admin.updateKnobs({ managementFailure: { status: 404 } }),
      /managementFailure.status must be 429 or a status code from 500 to 599/,
    );
    await assert.rejects(
      admin.updateKnobs({
        managementFailure: { status: 429, endpoints: ['usrs' as never] },
      }),
      /managementFailure.endpoints must be null or a non-empty list of users/,
    );
  });

  it("enforces the free tenants' limit (bursts of 10, 2 a second) when switched on", async () => {
    await admin.setManagementRateLimit(true);
    const answers = await Promise.all(
      Array.from({ length: 16 }, () => get('roles')),
    );
    const limited = answers.filter(answer => answer.status === 429);
    const passed = answers.filter(answer => answer.status === 200);
    // 10 at once, and 2 more a second while the 16 requests are under way.
    assert.ok(
      passed.length >= 10 && passed.length <= 13,
      `${passed.length} passed`,
    );
    assert.equal(limited.length, 16 - passed.length);
    assert.deepEqual(limited[0].body, globalLimit);
    assert.equal(limited[0].headers.get('x-ratelimit-remaining'), '0');
  });

  it('adds latency to Management API calls', async () => {
    await admin.setLatency({ management: 300 });
    const started = performance.now();
    assert.equal((await get('roles')).status, 200);
    assert.ok(performance.now() - started >= 300);
  });

  it('answers 501 for what it does not implement, naming what it does', async () => {
    const { status, body } = await managementApiRequest(
      browser,
      server,
      token,
      'users/auth0%7Cchris',
      { method: 'PATCH', json: { blocked: true } },
    );
    assert.equal(status, 501);
    assert.equal(body.error, 'Not Implemented');
    assert.match(
      body.message,
      /^auth0-dev-server does not implement PATCH \/api\/v2\/users\/auth0%7Cchris\. It implements: GET \/api\/v2\/users, /,
    );
    const { managementApi } = await admin.counters();
    assert.deepEqual(managementApi.unknown.byStatus, { '501': 1 });
  });
});
