import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  createLocalJWKSet,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
} from 'jose';
import { createAdminClient, type AdminClient } from './adminClient.ts';
import type { Browser } from './browser.ts';
import { createDirectory } from './directory.ts';
import { loadFixtureUsers } from './fixtureUsers.ts';
import { startAuth0DevServerProcess } from './process.ts';
import { defaultRolesClaim } from './rolesClaim.ts';
import { defaultUsersFile, startAuth0DevServer } from './server.ts';
import {
  managementApiRequest,
  managementToken,
  password,
  refresh,
  startTestStandIn,
  tokensFor,
  userinfo,
  type TestStandIn,
} from './testSupport.ts';

const chris = { email: 'chris@example.com', password };
const sam = { email: 'sam@example.com', password };

describe('the roles claim in ID tokens, as an Auth0 Action sets it', () => {
  let standIn: TestStandIn;
  let admin: AdminClient;
  let jwks: ReturnType<typeof createLocalJWKSet>;

  before(async () => {
    standIn = await startTestStandIn();
    admin = createAdminClient(standIn.server.adminUrl);
    const keys = await standIn
      .browser()
      .get(new URL('.well-known/jwks.json', standIn.server.issuer).href);
    jwks = createLocalJWKSet(JSON.parse(keys.body) as JSONWebKeySet);
  });
  afterEach(() => admin.reset());
  after(() => standIn.stop());

  const claimsOf = async (idToken: string | undefined) => {
    assert.ok(idToken, 'an ID token');
    const { payload } = await jwtVerify(idToken, jwks, {
      issuer: standIn.server.issuer,
      audience: standIn.server.clientId,
    });
    return payload;
  };
  const rolesIn = (payload: JWTPayload) => payload[defaultRolesClaim];

  /** Refreshes and answers the new ID token's claims and the new refresh token. */
  const refreshed = async (browser: Browser, refreshToken: string) => {
    const { status, body } = await refresh(
      browser,
      standIn.server,
      refreshToken,
    );
    assert.equal(status, 200, JSON.stringify(body));
    return {
      payload: await claimsOf(body.id_token),
      refreshToken: body.refresh_token!,
    };
  };

  /** The ids of a role's users through the Management API. */
  const roleUsers = async (browser: Browser, roleId: string) => {
    const token = await managementToken(browser, standIn.server);
    const { status, body } = await managementApiRequest(
      browser,
      standIn.server,
      token,
      `roles/${roleId}/users?take=100`,
    );
    assert.equal(status, 200, JSON.stringify(body));
    return (body.users as Array<{ user_id: string }>).map(user => user.user_id);
  };

  const patchUser = (id: string, body: string) =>
    fetch(new URL(`users/${encodeURIComponent(id)}`, standIn.server.adminUrl), {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body,
    });

  it("carries chris's role names at sign-in and at refresh, and not in /userinfo", async () => {
    const { server } = standIn;
    assert.equal(server.rolesClaim, 'https://backstage.example.com/roles');
    const browser = standIn.browser();
    const tokens = await tokensFor(browser, server, chris);
    const payload = await claimsOf(tokens.id_token);
    assert.equal(payload.sub, 'auth0|chris');
    assert.deepEqual(rolesIn(payload), ['Platform Team', 'SRE On-Call']);

    const next = await refreshed(browser, tokens.refresh_token!);
    assert.deepEqual(rolesIn(next.payload), ['Platform Team', 'SRE On-Call']);

    const profile = await userinfo(browser, server, tokens.access_token!);
    assert.equal(profile.status, 200, profile.body);
    assert.equal(JSON.parse(profile.body).sub, 'auth0|chris');
    assert.equal(
      defaultRolesClaim in JSON.parse(profile.body),
      false,
      'only the ID token carries the roles',
    );
  });

  it('gives a user with no roles an empty list, as event.authorization.roles is', async () => {
    const tokens = await tokensFor(standIn.browser(), standIn.server, sam);
    const payload = await claimsOf(tokens.id_token);
    assert.equal(payload.sub, 'auth0|sam');
    assert.deepEqual(rolesIn(payload), []);
  });

  it('follows a role change at the next refresh and in the Management API', async () => {
    const { server } = standIn;
    const browser = standIn.browser();
    const tokens = await tokensFor(browser, server, chris);
    assert.deepEqual(await roleUsers(browser, 'rol_SreOnCall000003'), [
      'auth0|chris',
    ]);

    const state = await admin.updateUser('chris', { roles: ['Platform Team'] });
    assert.deepEqual(state, {
      id: 'chris',
      sub: 'auth0|chris',
      roles: [{ id: 'rol_PlatformTeam0001', name: 'Platform Team' }],
      rolesClaim: {
        name: defaultRolesClaim,
        value: ['Platform Team'],
        overridden: false,
      },
    });
    const first = await refreshed(browser, tokens.refresh_token!);
    assert.deepEqual(rolesIn(first.payload), ['Platform Team']);
    assert.deepEqual(await roleUsers(browser, 'rol_SreOnCall000003'), []);
    assert.deepEqual(await roleUsers(browser, 'rol_PlatformTeam0001'), [
      'auth0|chris',
      'auth0|alex',
    ]);

    // By user_id, with a role id and a name, in that order; the roles' members follow.
    await admin.updateUser('auth0|chris', {
      roles: ['rol_Auditors0000004', 'Payments Team'],
    });
    const second = await refreshed(browser, first.refreshToken);
    assert.deepEqual(rolesIn(second.payload), ['Auditors', 'Payments Team']);
    assert.deepEqual(await roleUsers(browser, 'rol_PlatformTeam0001'), [
      'auth0|alex',
    ]);
    assert.deepEqual(await roleUsers(browser, 'rol_Auditors0000004'), [
      'auth0|chris',
    ]);
    assert.deepEqual(
      (await roleUsers(browser, 'rol_PaymentsTeam0002')).slice(0, 2),
      ['auth0|chris', 'auth0|jordan'],
      'fixture users in file order',
    );
    const token = await managementToken(browser, server);
    const userRoles = await managementApiRequest(
      browser,
      server,
      token,
      `users/${encodeURIComponent('auth0|chris')}/roles`,
    );
    assert.deepEqual(
      (userRoles.body as Array<{ name: string }>).map(role => role.name),
      ['Auditors', 'Payments Team'],
    );

    // No roles at all: an empty list, and a new sign-in sees it too.
    await admin.updateUser('chris', { roles: [] });
    const signedInAgain = await tokensFor(standIn.browser(), server, chris);
    assert.deepEqual(rolesIn(await claimsOf(signedInAgain.id_token)), []);
  });

  it('puts an override in the next ID token, whatever JSON it is, until it is ended', async () => {
    const browser = standIn.browser();
    const tokens = await tokensFor(browser, standIn.server, chris);

    const state = await admin.updateUser('chris', { rolesClaim: 42 });
    assert.deepEqual(state.rolesClaim, {
      name: defaultRolesClaim,
      value: 42,
      overridden: true,
    });
    const first = await refreshed(browser, tokens.refresh_token!);
    assert.equal(rolesIn(first.payload), 42);

    // A role change does not end the override.
    await admin.updateUser('chris', {
      roles: ['Auditors'],
      rolesClaim: { a: 1 },
    });
    const second = await refreshed(browser, first.refreshToken);
    assert.deepEqual(rolesIn(second.payload), { a: 1 });

    const ended = await admin.updateUser('chris', { rolesClaim: null });
    assert.equal(ended.rolesClaim.overridden, false);
    const third = await refreshed(browser, second.refreshToken);
    assert.deepEqual(rolesIn(third.payload), ['Auditors']);

    // Other users keep theirs.
    const alex = await tokensFor(standIn.browser(), standIn.server, {
      email: 'alex@example.com',
      password,
    });
    assert.deepEqual(rolesIn(await claimsOf(alex.id_token)), ['Platform Team']);
  });

  it('reset restores the fixture roles and ends the overrides', async () => {
    const browser = standIn.browser();
    const tokens = await tokensFor(browser, standIn.server, chris);
    await admin.updateUser('chris', { roles: ['Auditors'] });
    await admin.updateUser('sam', { rolesClaim: 'not a list' });

    await admin.reset();
    const next = await refreshed(browser, tokens.refresh_token!);
    assert.deepEqual(rolesIn(next.payload), ['Platform Team', 'SRE On-Call']);
    assert.deepEqual(await roleUsers(browser, 'rol_Auditors0000004'), []);
    assert.deepEqual(await roleUsers(browser, 'rol_SreOnCall000003'), [
      'auth0|chris',
    ]);
    const samTokens = await tokensFor(standIn.browser(), standIn.server, sam);
    assert.deepEqual(rolesIn(await claimsOf(samTokens.id_token)), []);

    // In process too.
    standIn.server.updateUser('auth0|chris', { roles: [], rolesClaim: 1 });
    await standIn.server.reset();
    assert.deepEqual(standIn.server.updateUser('chris', {}).rolesClaim.value, [
      'Platform Team',
      'SRE On-Call',
    ]);
  });

  it('lists the route and the claim name, and the users as they are now, in GET /', async () => {
    await admin.updateUser('chris', { roles: ['Auditors'] });
    await admin.updateUser('sam', { rolesClaim: 7 });
    const info = (await (await fetch(standIn.server.adminUrl)).json()) as {
      rolesClaim: string;
      adminRoutes: string[];
      users: Array<{ sub: string; roles: string[]; rolesClaim: unknown }>;
    };
    assert.equal(info.rolesClaim, defaultRolesClaim);
    assert.ok(info.adminRoutes.includes('PATCH /users/{id}'));
    const bySub = new Map(info.users.map(user => [user.sub, user]));
    assert.deepEqual(bySub.get('auth0|chris')?.roles, ['rol_Auditors0000004']);
    assert.deepEqual(bySub.get('auth0|chris')?.rolesClaim, ['Auditors']);
    assert.equal(bySub.get('auth0|sam')?.rolesClaim, 7);
  });

  it('refuses bad bodies with 400, naming what is wrong, and changes nothing', async () => {
    const cases: Array<[string, RegExp[]]> = [
      [
        JSON.stringify({ roles: ['Platform Team'], role: [], claim: 1 }),
        [/unknown fields "role", "claim"; the fields are roles, rolesClaim/],
      ],
      [
        JSON.stringify({ roles: ['Platform Team', 'Nope', 'rol_Missing'] }),
        [/no role "Nope"/, /no role "rol_Missing"/, /rol_PlatformTeam0001/],
      ],
      [
        JSON.stringify({ roles: 'Platform Team' }),
        [/roles must be a list of role ids or names/],
      ],
      [
        JSON.stringify({ roles: [1] }),
        [/roles must be a list of role ids or names/],
      ],
      [JSON.stringify(['Platform Team']), [/must be a JSON object/]],
      [JSON.stringify(null), [/must be a JSON object/]],
      ['{not json', [/the body must be JSON/]],
    ];
    for (const [body, patterns] of cases) {
      const response = await patchUser('chris', body);
      assert.equal(response.status, 400, body);
      const answer = (await response.json()) as { error: string };
      for (const pattern of patterns) assert.match(answer.error, pattern, body);
    }
    const unchanged = standIn.server.updateUser('chris', {});
    assert.deepEqual(
      unchanged.roles.map(role => role.name),
      ['Platform Team', 'SRE On-Call'],
    );
    await assert.rejects(
      admin.updateUser('chris', { roles: ['Nope'] }),
      /answered 400: .*no role \\"Nope\\"/s,
    );
  });

  it('answers 404 for a user who is not a fixture user', async () => {
    for (const id of ['nobody', 'auth0|nobody', 'Chris']) {
      const response = await patchUser(id, JSON.stringify({ roles: [] }));
      assert.equal(response.status, 404, id);
      const { error } = (await response.json()) as { error: string };
      assert.match(
        error,
        new RegExp(`no fixture user "${id.replace('|', '\\|')}"`),
      );
      assert.match(error, /the fixture users are chris, alex, /);
    }
    await admin.setSyntheticUsers(3);
    const browser = standIn.browser();
    const { body: synthetic } = await managementApiRequest(
      browser,
      standIn.server,
      await managementToken(browser, standIn.server),
      `users?${new URLSearchParams({ q: 'email:*@synthetic.example' })}`,
    );
    assert.equal(synthetic.length, 3);
    const response = await patchUser(
      synthetic[0].user_id,
      JSON.stringify({ roles: [] }),
    );
    assert.equal(response.status, 404);
    assert.match(
      ((await response.json()) as { error: string }).error,
      /is a synthetic user; only fixture users/,
    );
    await assert.rejects(
      admin.updateUser('nobody', {}),
      /answered 404: .*no fixture user/s,
    );
  });
});

describe('the roles claim name (rolesClaim, --roles-claim)', () => {
  it('names the claim in ID tokens, in the server and in the ready line', async () => {
    const claim = 'https://portal.example.org/groups';
    const standIn = await startTestStandIn({ rolesClaim: claim });
    try {
      assert.equal(standIn.server.rolesClaim, claim);
      const browser = standIn.browser();
      const tokens = await tokensFor(browser, standIn.server, chris);
      const [, body] = tokens.id_token!.split('.');
      const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
      assert.deepEqual(payload[claim], ['Platform Team', 'SRE On-Call']);
      assert.equal(defaultRolesClaim in payload, false);
    } finally {
      await standIn.stop();
    }

    const stateDir = await mkdtemp(join(tmpdir(), 'auth0-dev-server-roles-'));
    try {
      const devServer = await startAuth0DevServerProcess({
        stateDir,
        rolesClaim: claim,
      });
      try {
        assert.equal(devServer.rolesClaim, claim);
        const state = await devServer.admin.updateUser('chris', {
          roles: ['Auditors'],
        });
        assert.deepEqual(state.rolesClaim, {
          name: claim,
          value: ['Auditors'],
          overridden: false,
        });
      } finally {
        await devServer.stop();
      }
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });

  it('refuses an empty name, or one the ID token already carries', async () => {
    for (const rolesClaim of ['', ' ', 'email', 'sub', 'org_id']) {
      await assert.rejects(
        startAuth0DevServer({
          port: 0,
          adminPort: 0,
          rolesClaim,
          log: () => {},
        }),
        (error: Error) => {
          assert.match(
            error.message,
            /^auth0-dev-server: the roles claim \(rolesClaim, --roles-claim, AUTH0_DEV_SERVER_ROLES_CLAIM\) /,
          );
          assert.match(
            error.message,
            rolesClaim.trim() === ''
              ? /must not be empty/
              : new RegExp(
                  `not "${rolesClaim}", which the ID token already carries`,
                ),
          );
          return true;
        },
        JSON.stringify(rolesClaim),
      );
    }
  });
});

describe('role changes in the directory', () => {
  it('reindexes the members without making the synthetic users again', async () => {
    const directory = createDirectory(
      await loadFixtureUsers(defaultUsersFile),
      { count: 100_000, seed: 1 },
    );
    const people = directory.people();
    const syntheticPlatform = directory
      .roleMembers('rol_PlatformTeam0001')
      .filter(person => !directory.isFixture(person.sub));
    assert.ok(syntheticPlatform.length > 9_000, `${syntheticPlatform.length}`);

    directory.setRoles('auth0|chris', ['rol_Auditors0000004']);

    assert.equal(directory.people(), people, 'the same people, not made again');
    assert.deepEqual(directory.person('auth0|chris')?.roles, [
      'rol_Auditors0000004',
    ]);
    const platform = directory.roleMembers('rol_PlatformTeam0001');
    assert.deepEqual(
      platform.slice(0, 1).map(person => person.sub),
      ['auth0|alex'],
    );
    assert.deepEqual(platform.slice(1), syntheticPlatform);
    assert.deepEqual(
      directory.roleMembers('rol_Auditors0000004').map(person => person.sub),
      ['auth0|chris'],
    );

    directory.resetRoles();
    assert.deepEqual(directory.person('auth0|chris')?.roles, [
      'rol_PlatformTeam0001',
      'rol_SreOnCall000003',
    ]);
    assert.deepEqual(directory.roleMembers('rol_Auditors0000004'), []);
    assert.throws(
      () => directory.setRoles(syntheticPlatform[0].sub, []),
      /no fixture user/,
    );
  });
});
