import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadFixtureUsers } from './fixtureUsers.ts';
import { defaultUsersFile } from './server.ts';

describe('the fixture users', () => {
  it('hold the catalog users of examples/org.yaml and each edge case the issue names', async () => {
    const users = await loadFixtureUsers(defaultUsersFile);
    const byEmail = (email: string) =>
      users.all.filter(user => user.email === email);

    for (const email of [
      'chris@example.com',
      'alex@example.com',
      'sam@example.com',
      'jordan.lee@example.com',
    ]) {
      assert.ok(
        byEmail(email).some(user => user.emailVerified),
        `verified ${email}`,
      );
    }
    assert.equal(users.bySub('auth0|chris')?.name, 'Chris House');
    assert.ok(
      byEmail('jordan.lee@example.com').some(user => !user.emailVerified),
      'an unverified copy of a catalog email',
    );
    assert.equal(byEmail('newhire@example.com')[0]?.emailVerified, true);
    assert.equal(
      byEmail('Alex@Example.com').length,
      1,
      'differs only in letter case',
    );
    assert.equal(byEmail('chris+ops@example.com').length, 1, 'plus addressing');
    assert.equal(
      byEmail('chris@evil.example').length,
      1,
      'another domain, local part chris',
    );
    assert.ok(users.all.every(user => user.password === 'password'));
    assert.ok(users.all.every(user => user.sub === `auth0|${user.id}`));
  });

  it('finds exact emails first, then a single case-insensitive match', async () => {
    const users = await loadFixtureUsers(defaultUsersFile);
    assert.equal(users.byEmail('alex@example.com')?.id, 'alex');
    assert.equal(users.byEmail('Alex@Example.com')?.id, 'alex-mixed-case');
    assert.equal(
      users.byEmail('ALEX@EXAMPLE.COM'),
      undefined,
      'two users differ only in case: ambiguous',
    );
    assert.equal(users.byEmail('SAM@example.com')?.id, 'sam');
    assert.equal(
      users.byEmail('jordan.lee@example.com')?.id,
      'jordan',
      'the verified one comes first',
    );
  });

  it('holds the organizations and memberships the backend tests rely on', async () => {
    const users = await loadFixtureUsers(defaultUsersFile);
    assert.deepEqual(users.organizations, [
      {
        id: 'org_examplecorp',
        name: 'example-corp',
        displayName: 'Example Corp',
      },
      { id: 'org_othercorp', name: 'other-corp', displayName: 'Other Corp' },
    ]);
    const memberships = (id: string) => users.byId(id)?.organizations;
    assert.deepEqual(memberships('chris'), ['org_examplecorp']);
    assert.deepEqual(memberships('sam'), ['org_othercorp']);
    assert.deepEqual(memberships('alex'), []);

    const exampleCorp = users.organization('org_examplecorp')!;
    assert.equal(users.organization('example-corp'), exampleCorp);
    assert.equal(
      users.organization('Example-Corp'),
      exampleCorp,
      'names in any letter case',
    );
    assert.equal(
      users.organization('ORG_EXAMPLECORP'),
      undefined,
      'ids are exact',
    );
    assert.equal(users.organization('Example Corp'), undefined);
    assert.ok(users.isMember(users.byId('chris')!, exampleCorp));
    assert.ok(!users.isMember(users.byId('sam')!, exampleCorp));
  });

  it('holds the roles (RBAC), their members and a blocked user', async () => {
    const users = await loadFixtureUsers(defaultUsersFile);
    assert.deepEqual(
      users.roles.map(role => role.name),
      ['Platform Team', 'Payments Team', 'SRE On-Call', 'Auditors'],
    );
    const rolesOf = (id: string) => users.byId(id)?.roles;
    assert.deepEqual(rolesOf('chris'), [
      'rol_PlatformTeam0001',
      'rol_SreOnCall000003',
    ]);
    assert.deepEqual(rolesOf('alex'), ['rol_PlatformTeam0001']);
    assert.deepEqual(rolesOf('jordan'), ['rol_PaymentsTeam0002']);
    assert.deepEqual(rolesOf('sam'), []);
    assert.deepEqual(
      users.all.filter(user => user.blocked).map(user => user.id),
      ['blocked'],
    );
    assert.ok(
      users.all.every(user => !Number.isNaN(Date.parse(user.createdAt))),
    );
  });

  it('reads a file without organizations, and names every organization problem', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'auth0-dev-server-fixture-'));
    try {
      const plain = join(dir, 'plain.yaml');
      await writeFile(
        plain,
        'password: p\nusers:\n  - id: a\n    email: a@example.com\n    email_verified: true\n    name: A\n',
      );
      const users = await loadFixtureUsers(plain);
      assert.deepEqual(users.organizations, []);
      assert.deepEqual(users.byId('a')?.organizations, []);

      const broken = join(dir, 'broken.yaml');
      await writeFile(
        broken,
        [
          'password: p',
          'organizations:',
          '  - id: examplecorp',
          '    name: Example Corp',
          '  - id: org_a',
          '    name: a',
          '  - id: org_b',
          '    name: a',
          'roles:',
          '  - id: role-1',
          '    name: Ops',
          '  - id: rol_b',
          '    name: Ops',
          'users:',
          '  - id: a',
          '    email: a@example.com',
          '    email_verified: true',
          '    name: A',
          '    organizations: [org_a, org_missing]',
          '    roles: [rol_missing]',
          '    blocked: maybe',
          '    created_at: yesterday',
          '',
        ].join('\n'),
      );
      await assert.rejects(loadFixtureUsers(broken), (error: Error) => {
        assert.match(error.message, /organizations\[0\]\.id must look like/);
        assert.match(
          error.message,
          /organizations\[0\]\.name must be lower case/,
        );
        assert.match(error.message, /organizations\[2\]: "a" is used twice/);
        assert.match(
          error.message,
          /users\[0\]\.organizations names "org_missing"/,
        );
        assert.match(error.message, /roles\[0\]\.id must look like/);
        assert.match(error.message, /roles\[1\]: "Ops" is used twice/);
        assert.match(error.message, /users\[0\]\.roles names "rol_missing"/);
        assert.match(
          error.message,
          /users\[0\]\.blocked must be true or false/,
        );
        assert.match(
          error.message,
          /users\[0\]\.created_at must be an ISO 8601 date and time/,
        );
        return true;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names every problem of a broken fixture file at once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'auth0-dev-server-fixture-'));
    try {
      const file = join(dir, 'users.yaml');
      await writeFile(
        file,
        'users:\n  - id: a\n    email: a@example.com\n    name: A\n  - id: a\n    email_verified: yes\n    name: B\n',
      );
      await assert.rejects(loadFixtureUsers(file), (error: Error) => {
        assert.match(
          error.message,
          new RegExp(
            `the fixture users in ${file.replace(
              /[.\\]/g,
              '\\$&',
            )} are not valid`,
          ),
        );
        assert.match(
          error.message,
          /users\[0\]\.email_verified must be true or false/,
        );
        assert.match(error.message, /users\[0\] has no password/);
        assert.match(
          error.message,
          /users\[1\]\.email must be a non-empty string/,
        );
        assert.match(error.message, /users\[1\]\.id "a" is used twice/);
        return true;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
