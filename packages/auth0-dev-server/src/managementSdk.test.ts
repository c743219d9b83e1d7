// Drives the dev server's Management API with Auth0's own Node SDK (`auth0` on npm,
// ManagementClient), so a catalog module built on it meets the requests and answers it
// will meet at Auth0: the client-credentials token (fetched once, then cached), the paging
// helpers, the error classes, and the retries on 429 and 5xx.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, afterEach, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { ManagementClient, ManagementError } from 'auth0';
import { createAdminClient, type AdminClient } from './adminClient.ts';
import { caTrustingFetch, type CaTrustingFetch } from './caTrustingFetch.ts';
import { createDirectory } from './directory.ts';
import { loadFixtureUsers } from './fixtureUsers.ts';
import { defaultUsersFile, type Auth0DevServer } from './server.ts';
import { startTestStandIn, type TestStandIn } from './testSupport.ts';

describe('the auth0 SDK (ManagementClient) against the dev server', () => {
  let standIn: TestStandIn;
  let server: Auth0DevServer;
  let admin: AdminClient;
  let trustingFetch: CaTrustingFetch;
  let client: ManagementClient;
  const synthetic = { count: 1500, seed: 1 };

  before(async () => {
    standIn = await startTestStandIn({ syntheticUsers: synthetic.count });
    server = standIn.server;
    admin = createAdminClient(server.adminUrl);
    // The SDK takes a `fetch`: this one trusts the dev server's CA, for this client only.
    trustingFetch = caTrustingFetch(server.caFile);
    client = new ManagementClient({
      domain: server.domain,
      clientId: server.managementClientId,
      clientSecret: server.managementClientSecret,
      fetch: trustingFetch,
    });
  });
  afterEach(async () => {
    await admin.reset();
  });
  after(async () => {
    await trustingFetch.close();
    await standIn.stop();
  });

  it("pages through users until Auth0's 1,000-record limit, with one token", async () => {
    await admin.resetCounters();
    let page = await client.users.list({ per_page: 100 });
    const seen = [...page.data];
    let failure: unknown;
    try {
      while (page.hasNextPage()) {
        page = await page.getNextPage();
        seen.push(...page.data);
      }
    } catch (error) {
      failure = error;
    }
    assert.equal(seen.length, 1000);
    assert.equal(seen[0].user_id, 'auth0|chris');
    assert.ok(failure instanceof ManagementError, String(failure));
    assert.equal(failure.statusCode, 400);
    assert.deepEqual(failure.body, {
      statusCode: 400,
      error: 'Bad Request',
      message:
        'You can only page through the first 1000 records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation',
      errorCode: 'invalid_paging',
    });
    const { managementApi } = await admin.counters();
    assert.deepEqual(managementApi.users.byStatus, { '200': 10, '400': 1 });
    assert.deepEqual(managementApi.token.byStatus, { '200': 1 });
  });

  it("iterates a role's users and an organization's members by checkpoint", async () => {
    const directory = createDirectory(
      await loadFixtureUsers(defaultUsersFile),
      synthetic,
    );
    const roleUsers: string[] = [];
    for await (const user of await client.roles.users.list(
      'rol_PlatformTeam0001',
      { take: 100 },
    )) {
      roleUsers.push(user.user_id!);
    }
    assert.deepEqual(
      roleUsers,
      directory.roleMembers('rol_PlatformTeam0001').map(person => person.sub),
    );

    const members: string[] = [];
    for await (const member of await client.organizations.members.list(
      'org_othercorp',
      { take: 100 },
    )) {
      members.push(member.user_id!);
    }
    assert.deepEqual(
      members,
      directory.organizationMembers('org_othercorp').map(person => person.sub),
    );

    const organizations: string[] = [];
    for await (const organization of await client.organizations.list({
      take: 1,
    })) {
      organizations.push(organization.display_name!);
    }
    assert.deepEqual(organizations, ['Example Corp', 'Other Corp']);

    const roles = await client.roles.list({ per_page: 50 });
    assert.deepEqual(
      roles.data.map(role => role.name),
      ['Platform Team', 'Payments Team', 'SRE On-Call', 'Auditors'],
    );
    const chrisRoles = await client.users.roles.list('auth0|chris');
    assert.deepEqual(
      chrisRoles.data.map(role => role.id),
      ['rol_PlatformTeam0001', 'rol_SreOnCall000003'],
    );
  });

  it('creates a users export, follows the job and reads the file', async () => {
    await admin.setExportJobDuration(300);
    const created = await client.jobs.usersExports.create({
      format: 'json',
      fields: [{ name: 'user_id' }, { name: 'email' }],
    });
    assert.equal(created.type, 'users_export');
    assert.equal(created.status, 'pending');
    let job = await client.jobs.get(created.id);
    for (let poll = 0; job.status !== 'completed' && poll < 100; poll += 1) {
      assert.ok(['pending', 'processing'].includes(job.status), job.status);
      await sleep(50);
      job = await client.jobs.get(created.id);
    }
    assert.equal(job.status, 'completed');
    const download = await trustingFetch(job.location!);
    assert.equal(download.status, 200);
    const lines = gunzipSync(Buffer.from(await download.arrayBuffer()))
      .toString('utf8')
      .trim()
      .split('\n');
    assert.equal(lines.length, 13 + synthetic.count);
    assert.deepEqual(JSON.parse(lines[0]), {
      user_id: 'auth0|chris',
      email: 'chris@example.com',
    });
  });

  it('retries a 429 when the rate limit resets, and surfaces a 5xx when told not to retry', async () => {
    await admin.resetCounters();
    await admin.rateLimitManagement({ count: 1 });
    const roles = await client.roles.list();
    assert.equal(roles.data.length, 4, 'the retry after the 429 succeeded');

    await admin.failManagement(503, { count: 1 });
    await assert.rejects(client.roles.list({}, { maxRetries: 0 }), error => {
      assert.ok(error instanceof ManagementError);
      assert.equal(error.statusCode, 503);
      assert.deepEqual(error.body, {
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'auth0-dev-server: forced 503 (managementFailure)',
      });
      return true;
    });
    const { managementApi } = await admin.counters();
    assert.deepEqual(managementApi.roles.byStatus, {
      '200': 1,
      '429': 1,
      '503': 1,
    });
  });

  it("reports a missing scope as ForbiddenError with Auth0's body", async () => {
    await admin.setManagementScopes(['read:roles']);
    // A new client: the first one's cached token still has every scope.
    const narrow = new ManagementClient({
      domain: server.domain,
      clientId: server.managementClientId,
      clientSecret: server.managementClientSecret,
      fetch: trustingFetch,
    });
    await assert.rejects(narrow.users.list(), error => {
      assert.ok(error instanceof ManagementError);
      assert.equal(error.statusCode, 403);
      assert.deepEqual(error.body, {
        statusCode: 403,
        error: 'Forbidden',
        message:
          'Insufficient scope, expected any of: read:users,read:user_idp_tokens',
        errorCode: 'insufficient_scope',
      });
      return true;
    });
  });
});
