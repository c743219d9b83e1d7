import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from './browser.ts';
import { createDirectory } from './directory.ts';
import { loadFixtureUsers } from './fixtureUsers.ts';
import { defaultUsersFile, type Auth0DevServer } from './server.ts';
import {
  managementApiRequest,
  managementToken,
  startTestStandIn,
  type TestStandIn,
} from './testSupport.ts';

type Member = { user_id: string; email: string; name: string; picture: string };

describe('roles and organizations in the Management API', () => {
  let standIn: TestStandIn;
  let server: Auth0DevServer;
  let browser: Browser;
  let token: string;
  const get = (path: string) =>
    managementApiRequest(browser, server, token, path);

  /** Follows `next` until it is gone, as Auth0 documents checkpoint paging. */
  const walk = async (path: string, key: string, take: number) => {
    const items: Member[] = [];
    let from: string | undefined;
    let pages = 0;
    for (;;) {
      const query = new URLSearchParams({ take: String(take) });
      if (from) query.set('from', from);
      const { status, body } = await get(`${path}?${query}`);
      assert.equal(status, 200, JSON.stringify(body));
      assert.deepEqual(
        Object.keys(body).sort(),
        body.next === undefined ? [key] : [key, 'next'].sort(),
      );
      assert.ok(body[key].length <= take);
      items.push(...body[key]);
      pages += 1;
      if (body.next === undefined) return { items, pages };
      assert.equal(typeof body.next, 'string');
      from = body.next;
    }
  };

  before(async () => {
    standIn = await startTestStandIn();
    server = standIn.server;
    browser = standIn.browser();
    token = await managementToken(browser, server);
  });
  after(() => standIn.stop());

  it('lists the fixture roles with page paging', async () => {
    const { status, body } = await get('roles?include_totals=true&per_page=2');
    assert.equal(status, 200);
    assert.deepEqual(body, {
      start: 0,
      limit: 2,
      roles: [
        {
          id: 'rol_PlatformTeam0001',
          name: 'Platform Team',
          description: 'Runs the internal developer platform',
        },
        {
          id: 'rol_PaymentsTeam0002',
          name: 'Payments Team',
          description: 'Owns checkout and billing',
        },
      ],
      total: 4,
    });
    const second = await get('roles?page=1&per_page=2');
    assert.deepEqual(
      second.body.map((role: { name: string }) => role.name),
      ['SRE On-Call', 'Auditors'],
    );
    const filtered = await get('roles?name_filter=sre');
    assert.deepEqual(
      filtered.body.map((role: { id: string }) => role.id),
      ['rol_SreOnCall000003'],
    );
    const one = await get('roles/rol_SreOnCall000003');
    assert.equal(one.body.name, 'SRE On-Call');
    const missing = await get('roles/rol_Nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.errorCode, 'inexistent_role');
  });

  it("walks a role's users with checkpoint paging across pages", async () => {
    const platform = await walk('roles/rol_PlatformTeam0001/users', 'users', 1);
    assert.equal(platform.pages, 2);
    assert.deepEqual(platform.items, [
      {
        user_id: 'auth0|chris',
        email: 'chris@example.com',
        picture: `https://localhost:${server.port}/avatars/chris.svg`,
        name: 'Chris House',
      },
      {
        user_id: 'auth0|alex',
        email: 'alex@example.com',
        picture: `https://localhost:${server.port}/avatars/alex.svg`,
        name: 'Alex Moreno',
      },
    ]);
    const payments = await walk(
      'roles/rol_PaymentsTeam0002/users',
      'users',
      50,
    );
    assert.deepEqual(
      payments.items.map(member => member.user_id),
      ['auth0|jordan', 'auth0|blocked', 'auth0|riley'],
    );
    assert.equal(payments.pages, 1);
    const nobody = await walk('roles/rol_Auditors0000004/users', 'users', 10);
    assert.deepEqual(nobody.items, []);

    const bad = await get('roles/rol_PlatformTeam0001/users?take=101');
    assert.equal(bad.status, 400);
    assert.equal(
      bad.body.message,
      "Query validation error: 'Value 101 is greater than maximum 100' on property take (Number of results per page. Defaults to 50.).",
    );
    const badCursor = await get('roles/rol_PlatformTeam0001/users?from=nope');
    assert.equal(badCursor.status, 400);
    assert.equal(badCursor.body.errorCode, 'invalid_query_string');
  });

  it('walks thousands of role members with take=100, and caps page paging at 1,000', async () => {
    await standIn.server.setSyntheticUsers({ count: 20_000, seed: 1 });
    try {
      const directory = createDirectory(
        await loadFixtureUsers(defaultUsersFile),
        { count: 20_000, seed: 1 },
      );
      const expected = directory
        .roleMembers('rol_PlatformTeam0001')
        .map(person => person.sub);
      assert.ok(expected.length > 1000, `${expected.length} members`);

      const { items, pages } = await walk(
        'roles/rol_PlatformTeam0001/users',
        'users',
        100,
      );
      assert.deepEqual(
        items.map(member => member.user_id),
        expected,
      );
      assert.equal(pages, Math.ceil(expected.length / 100));

      const offset = await get(
        'roles/rol_PlatformTeam0001/users?page=9&per_page=100&include_totals=true',
      );
      assert.equal(offset.status, 200);
      assert.equal(offset.body.total, expected.length);
      assert.equal(offset.body.users.length, 100);
      const past = await get(
        'roles/rol_PlatformTeam0001/users?page=10&per_page=100',
      );
      assert.equal(past.status, 400);
      assert.deepEqual(past.body, {
        statusCode: 400,
        error: 'Bad Request',
        message:
          'Requesting page 10 exceeds the allowed maximum of 1000 records. To fetch results beyond 1000, use the checkpoint pagination method.',
        errorCode: 'invalid_paging',
      });

      const members = await walk(
        'organizations/org_examplecorp/members',
        'members',
        100,
      );
      assert.deepEqual(
        members.items.map(member => member.user_id),
        directory
          .organizationMembers('org_examplecorp')
          .map(person => person.sub),
      );
      assert.equal(
        (await get('organizations/org_examplecorp/members?page=20&per_page=50'))
          .body.message,
        'Requesting page 20 exceeds the allowed maximum of 1000 records. To fetch results beyond 1000, use the checkpoint pagination method.',
      );
    } finally {
      await standIn.server.setSyntheticUsers({ count: 0, seed: 1 });
    }
  });

  it('lists organizations with display names, by checkpoint or by page', async () => {
    const all = await walk('organizations', 'organizations', 1);
    assert.equal(all.pages, 2);
    assert.deepEqual(all.items, [
      {
        id: 'org_examplecorp',
        name: 'example-corp',
        display_name: 'Example Corp',
      },
      { id: 'org_othercorp', name: 'other-corp', display_name: 'Other Corp' },
    ]);
    const paged = await get(
      'organizations?page=0&per_page=5&include_totals=true',
    );
    assert.deepEqual(Object.keys(paged.body).sort(), [
      'limit',
      'organizations',
      'start',
      'total',
    ]);
    assert.equal(paged.body.total, 2);
    // The auth0 SDK sends include_totals with take: checkpoint paging wins.
    const sdkStyle = await get('organizations?include_totals=true&take=50');
    assert.deepEqual(Object.keys(sdkStyle.body), ['organizations']);
    const sorted = await get('organizations?sort=display_name:-1');
    assert.deepEqual(
      sorted.body.map((organization: { id: string }) => organization.id),
      ['org_othercorp', 'org_examplecorp'],
    );
    const one = await get('organizations/org_othercorp');
    assert.equal(one.body.display_name, 'Other Corp');
  });

  it("lists an organization's members, their fields, and a user's roles and organizations", async () => {
    const members = await walk(
      'organizations/org_examplecorp/members',
      'members',
      1,
    );
    assert.deepEqual(
      members.items.map(member => member.user_id),
      ['auth0|chris', 'auth0|bob'],
    );
    const slim = await get(
      'organizations/org_othercorp/members?fields=user_id,email&include_fields=true',
    );
    assert.deepEqual(slim.body, [
      { user_id: 'auth0|sam', email: 'sam@example.com' },
    ]);
    const withRoles = await get(
      'organizations/org_othercorp/members?fields=roles',
    );
    assert.equal(withRoles.status, 403);
    assert.equal(
      withRoles.body.message,
      'Insufficient scope, expected any of: read:organization_member_roles',
    );

    const chrisRoles = await get(
      `users/${encodeURIComponent('auth0|chris')}/roles?include_totals=true`,
    );
    assert.deepEqual(
      chrisRoles.body.roles.map((role: { name: string }) => role.name),
      ['Platform Team', 'SRE On-Call'],
    );
    assert.equal(chrisRoles.body.total, 2);
    const samOrganizations = await get(
      `users/${encodeURIComponent('auth0|sam')}/organizations`,
    );
    assert.deepEqual(samOrganizations.body, [
      { id: 'org_othercorp', name: 'other-corp', display_name: 'Other Corp' },
    ]);
    const noOrganization = await get('organizations/org_nope/members');
    assert.equal(noOrganization.status, 404);
  });
});
