import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createInterface } from 'node:readline';
import { after, afterEach, before, describe, it } from 'node:test';
import { gunzipSync, createGunzip } from 'node:zlib';
import { Agent, fetch } from 'undici';
import { createAdminClient, type AdminClient } from './adminClient.ts';
import type { Browser } from './browser.ts';
import { createDirectory } from './directory.ts';
import { createExportJobs } from './exportJobs.ts';
import { loadFixtureUsers } from './fixtureUsers.ts';
import { defaultUsersFile, type Auth0DevServer } from './server.ts';
import {
  managementApiRequest,
  managementToken,
  startTestStandIn,
  type TestStandIn,
} from './testSupport.ts';

const fixtureUserCount = 13;

describe('users-export jobs, step by step', () => {
  const origin = 'https://localhost:7443';
  const makeJobs = () => createExportJobs({ origin, tenantName: 'localhost' });
  const people = async () =>
    createDirectory(await loadFixtureUsers(defaultUsersFile)).people();

  it('goes pending, processing (with percentage_done and time_left_seconds), then completed', async () => {
    const jobs = makeJobs();
    const created = Date.parse('2026-03-01T10:00:00.000Z');
    const job = jobs.create(
      {
        format: 'json',
        fields: [{ name: 'user_id' }],
        durationMs: 8000,
        fails: false,
        people: await people(),
      },
      created,
    );
    assert.match(job.id, /^job_[A-Za-z0-9]{16}$/);
    assert.deepEqual(jobs.describe(job, created), {
      type: 'users_export',
      status: 'pending',
      format: 'json',
      fields: [{ name: 'user_id' }],
      created_at: '2026-03-01T10:00:00.000Z',
      id: job.id,
    });
    const working = jobs.describe(job, created + 5000);
    assert.equal(working.status, 'processing');
    assert.equal(working.percentage_done, 50);
    assert.equal(working.time_left_seconds, 3);
    const done = jobs.describe(job, created + 8000);
    assert.equal(done.status, 'completed');
    const location = new URL(done.location as string);
    assert.equal(location.origin, origin);
    assert.equal(
      location.pathname,
      `/export-downloads/${job.id}/localhost.json.gz`,
    );
    assert.equal(
      location.searchParams.get('Expires'),
      String(Math.floor((created + 8000) / 1000) + 60),
    );
    assert.ok(location.searchParams.get('Key-Pair-Id'));
    assert.ok(location.searchParams.get('Signature'));

    // The link works for 60 seconds; a later look at the job gives a fresh one.
    const fresh = await jobs.download(
      location.pathname,
      location.searchParams,
      created + 60_000,
    );
    assert.equal(fresh.ok, true);
    const stale = await jobs.download(
      location.pathname,
      location.searchParams,
      created + 68_000,
    );
    assert.deepEqual(stale, { ok: false, reason: 'Request has expired' });
    const again = new URL(
      jobs.describe(job, created + 68_000).location as string,
    );
    assert.equal(
      (
        await jobs.download(
          again.pathname,
          again.searchParams,
          created + 68_000,
        )
      ).ok,
      true,
    );
    // Jobs (and their links) are gone after 24 hours.
    assert.equal(jobs.get(job.id, created + 24 * 3600_000), undefined);
  });

  it('writes CSV escaped as Auth0 documents, with export_as as the header', async () => {
    const jobs = makeJobs();
    const job = jobs.create(
      {
        format: 'csv',
        fields: [
          { name: 'user_id', export_as: 'id' },
          { name: 'name' },
          { name: 'created_at' },
          { name: 'logins_count' },
          { name: 'email_verified' },
          { name: 'blocked' },
        ],
        limit: 2,
        durationMs: 0,
        fails: false,
        people: (await people()).filter(person =>
          ['chris', 'blocked'].includes(person.id),
        ),
      },
      0,
    );
    const location = new URL(jobs.describe(job, 0).location as string);
    const file = await jobs.download(
      location.pathname,
      location.searchParams,
      0,
    );
    assert.ok(file.ok);
    assert.equal(
      gunzipSync(file.body).toString('utf8'),
      [
        '"id","name","created_at","logins_count","email_verified","blocked"',
        `"'auth0|chris","'Chris House",2025-06-01T09:00:00.000Z,0,true,`,
        `"'auth0|blocked","'Blake Blocked",2025-06-01T09:11:00.000Z,0,true,true`,
        '',
      ].join('\n'),
    );
  });

  it('ends failed while failExportJobs is on, and refuses tampered links', async () => {
    const jobs = makeJobs();
    const failed = jobs.create(
      {
        format: 'json',
        fields: [{ name: 'email' }],
        durationMs: 10,
        fails: true,
        people: [],
      },
      0,
    );
    const described = jobs.describe(failed, 10);
    assert.equal(described.status, 'failed');
    assert.equal(described.location, undefined);

    const ok = jobs.create(
      {
        format: 'json',
        fields: [{ name: 'email' }],
        durationMs: 0,
        fails: false,
        people: [],
      },
      0,
    );
    const location = new URL(jobs.describe(ok, 0).location as string);
    location.searchParams.set(
      'Expires',
      String(Number(location.searchParams.get('Expires')) + 3600),
    );
    assert.deepEqual(
      await jobs.download(location.pathname, location.searchParams, 0),
      { ok: false, reason: 'Access denied' },
    );
  });
});

describe('a users export over HTTP', () => {
  let standIn: TestStandIn;
  let server: Auth0DevServer;
  let admin: AdminClient;
  let browser: Browser;
  let token: string;
  let dispatcher: Agent;

  before(async () => {
    standIn = await startTestStandIn({ syntheticUsers: 1500 });
    server = standIn.server;
    admin = createAdminClient(server.adminUrl);
    browser = standIn.browser();
    token = await managementToken(browser, server);
    dispatcher = new Agent({ connect: { ca: readFileSync(server.caFile) } });
  });
  afterEach(() => admin.reset());
  after(async () => {
    await dispatcher.close();
    await standIn.stop();
  });

  /** Polls GET /jobs/{id} as a client would, until the job is no longer running. */
  const finished = async (id: string) => {
    const seen = new Set<string>();
    for (let attempt = 0; attempt < 200; attempt += 1) {
      const { status, body } = await managementApiRequest(
        browser,
        server,
        token,
        `jobs/${id}`,
      );
      assert.equal(status, 200);
      seen.add(body.status);
      if (body.status !== 'pending' && body.status !== 'processing') {
        return { job: body, seen };
      }
      await sleep(50);
    }
    throw new Error(`job ${id} never finished`);
  };

  it('exports 1,500 synthetic users (and the fixture users) as gzipped NDJSON with the requested fields', async () => {
    await admin.setExportJobDuration(400);
    const fields = [
      { name: 'user_id' },
      { name: 'email' },
      { name: 'name', export_as: 'full_name' },
      { name: 'identities[0].connection', export_as: 'connection' },
      { name: 'blocked' },
    ];
    const created = await managementApiRequest(
      browser,
      server,
      token,
      'jobs/users-exports',
      { json: { format: 'json', fields } },
    );
    assert.equal(created.status, 201);
    assert.equal(created.body.type, 'users_export');
    assert.equal(created.body.status, 'pending');
    assert.equal(created.body.format, 'json');
    assert.deepEqual(created.body.fields, fields);
    assert.match(created.body.id, /^job_[A-Za-z0-9]{16}$/);
    assert.ok(!Number.isNaN(Date.parse(created.body.created_at)));

    const { job, seen } = await finished(created.body.id);
    assert.equal(job.status, 'completed');
    assert.ok(seen.has('pending') || seen.has('processing'));

    // Stream the download through gunzip, a line at a time, as a catalog would.
    const response = await fetch(job.location, { dispatcher });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/gzip');
    assert.equal(response.headers.get('content-encoding'), null);
    const lines = createInterface({
      input: Readable.fromWeb(response.body as never).pipe(createGunzip()),
      crlfDelay: Infinity,
    });
    const users: Array<Record<string, unknown>> = [];
    for await (const line of lines) {
      if (line !== '') users.push(JSON.parse(line));
    }
    assert.equal(users.length, fixtureUserCount + 1500);
    assert.equal(new Set(users.map(user => user.user_id)).size, users.length);
    assert.deepEqual(users[0], {
      user_id: 'auth0|chris',
      email: 'chris@example.com',
      full_name: 'Chris House',
      connection: 'Username-Password-Authentication',
    });
    const blocked = users.find(user => user.user_id === 'auth0|blocked');
    assert.equal(blocked?.blocked, true);
    for (const user of users) {
      assert.ok(
        Object.keys(user).every(key =>
          ['user_id', 'email', 'full_name', 'connection', 'blocked'].includes(
            key,
          ),
        ),
      );
    }

    const counters = await admin.counters();
    assert.deepEqual(counters.managementApi.usersExports.byStatus, {
      '201': 1,
    });
    assert.ok(counters.managementApi.job.requests >= 1);
    assert.deepEqual(counters.managementApi.exportDownload.byStatus, {
      '200': 1,
    });
  });

  it('takes limit and connection_id, validates the body, and knows no other job', async () => {
    await admin.setExportJobDuration(0);
    const created = await managementApiRequest(
      browser,
      server,
      token,
      'jobs/users-exports',
      {
        json: {
          connection_id: 'con_DevServerDb0001',
          format: 'json',
          limit: 3,
          fields: [{ name: 'email' }],
        },
      },
    );
    assert.equal(created.status, 201);
    assert.equal(created.body.connection, 'Username-Password-Authentication');
    const { job } = await finished(created.body.id);
    const response = await fetch(job.location, { dispatcher });
    const text = gunzipSync(
      Buffer.from(await response.arrayBuffer()),
    ).toString();
    assert.equal(text.trim().split('\n').length, 3);

    const post = (json: unknown) =>
      managementApiRequest(browser, server, token, 'jobs/users-exports', {
        json,
      });
    const badFormat = await post({ format: 'xml' });
    assert.equal(badFormat.status, 400);
    assert.equal(badFormat.body.errorCode, 'invalid_body');
    assert.match(
      badFormat.body.message,
      /^Payload validation error: 'No enum match for: "xml"'/,
    );
    const tooManyCsvFields = await post({
      format: 'csv',
      fields: Array.from({ length: 31 }, (_, index) => ({
        name: `user_metadata.f${index}`,
      })),
    });
    assert.equal(tooManyCsvFields.status, 400);
    assert.match(
      tooManyCsvFields.body.message,
      /Array is too long \(31\), maximum 30/,
    );
    const badConnection = await post({ connection_id: 'con_nope' });
    assert.equal(badConnection.status, 400);

    const unknown = await managementApiRequest(
      browser,
      server,
      token,
      'jobs/job_0000000000000000',
    );
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body, {
      statusCode: 404,
      error: 'Not Found',
      message: 'The job does not exist.',
      errorCode: 'inexistent_job',
    });
    const malformed = await managementApiRequest(
      browser,
      server,
      token,
      'jobs/nope',
    );
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.errorCode, 'invalid_uri');

    const tampered = new URL(job.location);
    tampered.searchParams.set('Signature', 'x');
    const refused = await fetch(tampered, { dispatcher });
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /<Code>AccessDenied<\/Code>/);
  });
});
