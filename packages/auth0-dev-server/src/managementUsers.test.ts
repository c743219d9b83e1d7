import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAdminClient, type AdminClient } from './adminClient.ts';
import type { Browser } from './browser.ts';
import { createDirectory } from './directory.ts';
import { loadFixtureUsers } from './fixtureUsers.ts';
import { defaultUsersFile, type Auth0DevServer } from './server.ts';
import {
  managementApiRequest,
  managementToken,
  password,
  signIn,
  startTestStandIn,
  type TestStandIn,
} from './testSupport.ts';

const fixtureUserCount = 13;
const cappedPage = {
  statusCode: 400,
  error: 'Bad Request',
  message:
    'You can only page through the first 1000 records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation',
  errorCode: 'invalid_paging',
};

describe('GET /api/v2/users', () => {
  let standIn: TestStandIn;
  let server: Auth0DevServer;
  let admin: AdminClient;
  let browser: Browser;
  let token: string;
  const get = (path: string) =>
    managementApiRequest(browser, server, token, path);

  before(async () => {
    standIn = await startTestStandIn({ syntheticUsers: 1500 });
    server = standIn.server;
    admin = createAdminClient(server.adminUrl);
    browser = standIn.browser();
    token = await managementToken(browser, server);
  });
  after(() => standIn.stop());

  it('gives users as the Management API does, blocked only where it is set', async () => {
    const { status, body } = await get(
      `users?q=${encodeURIComponent(
        'user_id:"auth0|chris" OR email:"blocked@example.com"',
      )}&search_engine=v3`,
    );
    assert.equal(status, 200);
    assert.equal(body.length, 2);
    const [chris, blocked] = body;
    assert.deepEqual(chris, {
      created_at: '2025-06-01T09:00:00.000Z',
      email: 'chris@example.com',
      email_verified: true,
      identities: [
        {
          connection: 'Username-Password-Authentication',
          provider: 'auth0',
          user_id: 'chris',
          isSocial: false,
        },
      ],
      name: 'Chris House',
      nickname: 'chris',
      picture: `https://localhost:${server.port}/avatars/chris.svg`,
      updated_at: '2026-01-01T00:00:00.000Z',
      user_id: 'auth0|chris',
      logins_count: 0,
    });
    assert.equal(blocked.user_id, 'auth0|blocked');
    assert.equal(blocked.blocked, true);
  });

  it('pages with page and per_page, include_totals giving start, limit, length and total', async () => {
    const first = await get('users?page=0&per_page=100&include_totals=true');
    assert.equal(first.status, 200);
    assert.equal(first.body.start, 0);
    assert.equal(first.body.limit, 100);
    assert.equal(first.body.length, 100);
    assert.equal(first.body.users.length, 100);
    assert.equal(first.body.total, fixtureUserCount + 1500);
    assert.equal(first.body.users[0].user_id, 'auth0|chris');

    const plain = await get('users?page=2&per_page=7');
    assert.ok(Array.isArray(plain.body), 'without include_totals: an array');
    assert.equal(plain.body.length, 7);

    const defaults = await get('users');
    assert.equal(defaults.body.length, 50, 'at most 50 without paging');

    const seen = new Set<string>();
    for (let page = 0; page < 10; page += 1) {
      const { status, body } = await get(`users?page=${page}&per_page=100`);
      assert.equal(status, 200, `page ${page}`);
      for (const user of body) seen.add(user.user_id);
    }
    assert.equal(seen.size, 1000, 'ten distinct pages of 100');
  });

  it('refuses to page past the first 1,000 users, whatever the query', async () => {
    const tenth = await get('users?page=10&per_page=100&include_totals=true');
    assert.equal(tenth.status, 400);
    assert.deepEqual(tenth.body, cappedPage);
    const twentieth = await get('users?page=20&per_page=50');
    assert.deepEqual(twentieth.body, cappedPage);
    assert.equal((await get('users?page=19&per_page=50')).status, 200);
    // The cap is about the page asked for, not the number of matches.
    const few = await get(
      `users?q=${encodeURIComponent(
        'email:"chris@example.com"',
      )}&page=10&per_page=100`,
    );
    assert.deepEqual(few.body, cappedPage);
    // per_page=0: no users, only the total, so no cap.
    const count = await get('users?per_page=0&page=50&include_totals=true');
    assert.equal(count.status, 200);
    assert.equal(count.body.total, fixtureUserCount + 1500);
    assert.deepEqual(count.body.users, []);
  });

  it('validates the query as Auth0 does', async () => {
    const tooMany = await get('users?per_page=101');
    assert.equal(tooMany.status, 400);
    assert.deepEqual(tooMany.body, {
      statusCode: 400,
      error: 'Bad Request',
      message:
        "Query validation error: 'Value 101 is greater than maximum 100' on property per_page (Number of results per page.).",
      errorCode: 'invalid_query_string',
    });
    const notNumber = await get('users?page=first');
    assert.equal(
      notNumber.body.message,
      "Query validation error: 'Expected type integer but found type string' on property page (Page index of the results to return. First page is 0.).",
    );
    const unknown = await get('users?pages=2');
    assert.equal(
      unknown.body.message,
      "Query validation error: 'Additional properties not allowed: pages'.",
    );
    const engine = await get('users?search_engine=v4');
    assert.equal(engine.status, 400);
    assert.match(engine.body.message, /No enum match for: "v4"/);
    const bare = await get(`users?q=${encodeURIComponent('chris')}`);
    assert.equal(bare.status, 400);
    assert.equal(bare.body.errorCode, 'invalid_query_string');
    assert.match(bare.body.message, /field:value terms only/);
  });

  it('searches with q (search engine v3): connection, exact, prefix, ranges, booleans, NOT', async () => {
    const count = async (q: string) => {
      const { status, body } = await get(
        `users?q=${encodeURIComponent(
          q,
        )}&search_engine=v3&per_page=0&include_totals=true`,
      );
      assert.equal(status, 200, q);
      return body.total as number;
    };
    assert.equal(
      await count('identities.connection:"Username-Password-Authentication"'),
      fixtureUserCount + 1500,
    );
    assert.equal(await count('identities.connection:"google-oauth2"'), 0);
    assert.equal(await count('email:"JORDAN.LEE@example.com"'), 2);
    assert.equal(
      await count('email:"jordan.lee@example.com" AND email_verified:true'),
      1,
    );
    assert.equal(await count('email:chris*'), 3);
    assert.equal(await count('email:*@example.com AND NOT email:chris*'), 10);
    assert.equal(
      await count('(user_id:"auth0|sam" OR user_id:"auth0|bob")'),
      2,
    );

    const directory = createDirectory(
      await loadFixtureUsers(defaultUsersFile),
      {
        count: 1500,
        seed: 1,
      },
    );
    const blocked = directory.people().filter(person => person.blocked).length;
    assert.ok(blocked > 1, 'some synthetic users are blocked too');
    assert.equal(await count('blocked:true'), blocked);
    assert.equal(
      await count('created_at:[2025-01-01 TO 2025-01-01T00:59:59.999Z]'),
      60,
      'synthetic users signed up one a minute from 2025-01-01',
    );
  });

  it('selects fields, sorts, and gets one user', async () => {
    const { body } = await get(
      'users?fields=user_id,email&include_fields=true&per_page=3',
    );
    assert.deepEqual(Object.keys(body[0]).sort(), ['email', 'user_id']);
    const without = await get(
      'users?fields=identities,picture&include_fields=false&per_page=1',
    );
    assert.equal(without.body[0].identities, undefined);
    assert.equal(without.body[0].email, 'chris@example.com');

    const sorted = await get('users?sort=email:1&per_page=100&fields=email');
    const emails = sorted.body.map((user: { email: string }) => user.email);
    assert.deepEqual(
      emails,
      [...emails].sort((a: string, b: string) =>
        a.toLowerCase() < b.toLowerCase() ? -1 : 1,
      ),
    );

    const one = await get(`users/${encodeURIComponent('auth0|sam')}`);
    assert.equal(one.status, 200);
    assert.equal(one.body.email, 'sam@example.com');
    const missing = await get(`users/${encodeURIComponent('auth0|nobody')}`);
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, {
      statusCode: 404,
      error: 'Not Found',
      message: 'The user does not exist.',
      errorCode: 'inexistent_user',
    });
  });

  it('counts sign-ins in logins_count and last_login, and refuses a blocked user', async () => {
    const person = standIn.browser();
    await signIn(person, server, { email: 'sam@example.com', password });
    const sam = await get(`users/${encodeURIComponent('auth0|sam')}`);
    assert.equal(sam.body.logins_count, 1);
    assert.ok(Date.parse(sam.body.last_login) > Date.now() - 60_000);

    const refused = await signIn(standIn.browser(), server, {
      email: 'blocked@example.com',
      password,
    });
    assert.equal(refused.get('error'), 'unauthorized');
    assert.equal(refused.get('error_description'), 'user is blocked');
    assert.equal(refused.get('code'), null);
  });

  it('makes synthetic users deterministically, and cheaply enough for 100,000', async () => {
    const fixture = await loadFixtureUsers(defaultUsersFile);
    const small = createDirectory(fixture, { count: 1500, seed: 7 }).people();
    const large = createDirectory(fixture, {
      count: 100_000,
      seed: 7,
    }).people();
    assert.equal(large.length, fixtureUserCount + 100_000);
    for (const index of [fixtureUserCount, 500, 1511]) {
      assert.equal(small[index].email, large[index].email);
      assert.deepEqual(small[index].roles, large[index].roles);
    }
    const other = createDirectory(fixture, { count: 1500, seed: 8 }).people();
    assert.notEqual(small[fixtureUserCount].id, other[fixtureUserCount].id);
    assert.equal(
      new Set(large.map(person => person.email)).size,
      large.length - 1,
      'unique emails but the two fixture jordan.lee',
    );

    const synthetic = await admin.setSyntheticUsers(100_000, 3);
    assert.deepEqual(synthetic, { count: 100_000, seed: 3 });
    const started = performance.now();
    const { body } = await get(
      `users?q=${encodeURIComponent(
        'email:avery*',
      )}&per_page=0&include_totals=true`,
    );
    assert.ok(body.total > 1000);
    assert.ok(
      performance.now() - started < 5000,
      'a search through 100,000 users answers in seconds',
    );
    await admin.setSyntheticUsers(1500, 1);
  });
});
