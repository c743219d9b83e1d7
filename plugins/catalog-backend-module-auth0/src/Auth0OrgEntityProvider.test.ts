import { createServer } from 'node:net';
import { ConfigReader } from '@backstage/config';
import { Entity, GroupEntity, UserEntity } from '@backstage/catalog-model';
import { Auth0OrgEntityProvider } from './Auth0OrgEntityProvider';
import { idHash } from './entityNames';
import { defaultAuth0UserTransformer } from './transformers';
import { DevServer, startDevServer } from './__testUtils__/devServer';
import {
  recordingConnection,
  recordingLogger,
} from './__testUtils__/recorders';

jest.setTimeout(60_000);

let auth0: DevServer;

beforeAll(async () => {
  auth0 = await startDevServer();
});

afterAll(async () => {
  await auth0?.stop();
});

beforeEach(async () => {
  await auth0.admin.reset();
  await auth0.admin.setExportJobDuration(300);
});

type Options = Parameters<typeof Auth0OrgEntityProvider.fromConfig>[1];

/** A connected provider for the dev server's tenant, with `block` over the defaults. */
async function connectedProvider(
  block: object = {},
  options: Partial<Options> = {},
) {
  const log = recordingLogger();
  const [provider] = Auth0OrgEntityProvider.fromConfig(
    new ConfigReader({
      catalog: {
        providers: {
          auth0: {
            dev: {
              domain: auth0.domain,
              clientId: auth0.managementClientId,
              clientSecret: auth0.managementClientSecret,
              ...block,
            },
          },
        },
      },
    }),
    { logger: log.logger, fetch: auth0.fetch, ...options },
  );
  const { connection, mutations } = recordingConnection();
  await provider.connect(connection);
  return { provider, mutations, log };
}

function entitiesOf(mutation: { type: string; entities?: unknown }) {
  expect(mutation.type).toBe('full');
  return (
    mutation as { entities: Array<{ entity: Entity; locationKey: string }> }
  ).entities;
}

const usersOf = (entities: Array<{ entity: Entity }>) =>
  entities
    .map(({ entity }) => entity)
    .filter((entity): entity is UserEntity => entity.kind === 'User');
const groupsOf = (entities: Array<{ entity: Entity }>) =>
  entities
    .map(({ entity }) => entity)
    .filter((entity): entity is GroupEntity => entity.kind === 'Group');

describe('Auth0OrgEntityProvider against the dev server', () => {
  it('ingests the verified, unblocked users with names, annotations and memberships, and roles and organizations as groups', async () => {
    const { provider, mutations, log } = await connectedProvider();
    await provider.read();

    expect(mutations).toHaveLength(1);
    const entities = entitiesOf(mutations[0]);
    expect(new Set(entities.map(({ locationKey }) => locationKey))).toEqual(
      new Set(['auth0-org-provider:dev']),
    );

    const users = usersOf(entities);
    expect(
      Object.fromEntries(
        users.map(user => [
          user.metadata.annotations!['auth0.com/user-id'],
          user.metadata.name,
        ]),
      ),
    ).toEqual({
      'auth0|chris': 'chris',
      'auth0|alex': 'alex',
      'auth0|sam': 'sam',
      'auth0|jordan': 'jordan.lee',
      'auth0|newhire': 'newhire',
      'auth0|alex-mixed-case': `alex-${idHash('auth0|alex-mixed-case', 8)}`,
      'auth0|chris-plus-ops': 'chris-ops',
      'auth0|chris-evil': `chris-${idHash('auth0|chris-evil', 8)}`,
      'auth0|bob': 'bob',
      'auth0|riley': 'riley',
      'auth0|kelvin-sign': 'evin',
    });

    const chris = users.find(user => user.metadata.name === 'chris')!;
    expect(chris.metadata.annotations).toEqual({
      'auth0.com/user-id': 'auth0|chris',
      'backstage.io/managed-by-location': 'auth0:dev/auth0%7Cchris',
      'backstage.io/managed-by-origin-location': 'auth0:dev/auth0%7Cchris',
    });
    expect(chris.spec).toEqual({
      profile: {
        email: 'chris@example.com',
        displayName: 'Chris House',
        picture: expect.stringMatching(/^https:\/\//),
      },
      memberOf: [
        'group:default/example-corp',
        'group:default/platform-team',
        'group:default/sre-on-call',
      ],
    });

    const groups = groupsOf(entities);
    expect(
      groups.map(group => [
        group.metadata.name,
        group.spec.type,
        group.spec.profile?.displayName,
        group.spec.members,
      ]),
    ).toEqual([
      ['auditors', 'role', 'Auditors', []],
      [
        'example-corp',
        'organization',
        'Example Corp',
        ['user:default/bob', 'user:default/chris'],
      ],
      ['other-corp', 'organization', 'Other Corp', ['user:default/sam']],
      [
        'payments-team',
        'role',
        'Payments Team',
        ['user:default/jordan.lee', 'user:default/riley'],
      ],
      [
        'platform-team',
        'role',
        'Platform Team',
        ['user:default/alex', 'user:default/chris'],
      ],
      ['sre-on-call', 'role', 'SRE On-Call', ['user:default/chris']],
    ]);
    expect(groups.every(group => group.spec.children.length === 0)).toBe(true);
    expect(
      groups.find(group => group.metadata.name === 'example-corp')!.metadata
        .annotations!['auth0.com/organization-id'],
    ).toBe('org_examplecorp');
    expect(
      groups.find(group => group.metadata.name === 'sre-on-call')!.metadata
        .annotations!['auth0.com/role-id'],
    ).toBe('rol_SreOnCall000003');

    // The name collisions are logged, deterministically resolved.
    const created = '\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z';
    expect(log.messages('warn')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Several Auth0 objects map to the entity name chris: chris@example\\.com \\(auth0\\|chris, created ${created}\\) keeps it \\(created first, or lowest id\\); chris@evil\\.example \\(auth0\\|chris-evil, created ${created}\\) is chris-${idHash(
            'auth0|chris-evil',
            8,
          )}$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(
          `^Several Auth0 objects map to the entity name alex: alex@example\\.com \\(auth0\\|alex, created ${created}\\) keeps it \\(created first, or lowest id\\); Alex@Example\\.com \\(auth0\\|alex-mixed-case, created ${created}\\) is alex-${idHash(
            'auth0|alex-mixed-case',
            8,
          )}$`,
        ),
      ),
    ]);
    // Progress: the export job's states and the users read.
    expect(log.messages('info')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Auth0 user export job job_\w+ created$/),
        expect.stringMatching(/^Auth0 user export job job_\w+ completed$/),
        'Read 13 users of the Auth0 user export',
        expect.stringMatching(
          /^Read 11 users \(left out: 1 unverified, 1 blocked\), 4 roles and 2 organizations in [\d.]+ s; committing 17 entities$/,
        ),
      ]),
    );
  });

  it('gives the same names on every run', async () => {
    const { provider, mutations } = await connectedProvider();
    await provider.read();
    await provider.read();
    const names = (index: number) =>
      entitiesOf(mutations[index]).map(({ entity }) => entity.metadata.name);
    expect(names(1)).toEqual(names(0));
  });

  it('takes unverified users with includeUnverified, never blocked ones', async () => {
    const { provider, mutations } = await connectedProvider({
      users: { includeUnverified: true },
    });
    await provider.read();
    const ids = usersOf(entitiesOf(mutations[0])).map(
      user => user.metadata.annotations!['auth0.com/user-id'],
    );
    expect(ids).toContain('auth0|jordan-unverified');
    expect(ids).not.toContain('auth0|blocked');
    const unverified = usersOf(entitiesOf(mutations[0])).find(
      user =>
        user.metadata.annotations!['auth0.com/user-id'] ===
        'auth0|jordan-unverified',
    )!;
    // Created after the verified jordan.lee@example.com, so it is the one told apart.
    expect(unverified.metadata.name).toBe(
      `jordan.lee-${idHash('auth0|jordan-unverified', 8)}`,
    );
  });

  it('keeps only the users of the configured connections, and reads no groups when told not to', async () => {
    const only = await connectedProvider({
      users: { connections: ['Username-Password-Authentication'] },
      groups: { fromRoles: false, fromOrganizations: false },
    });
    await only.provider.read();
    const entities = entitiesOf(only.mutations[0]);
    expect(usersOf(entities)).toHaveLength(11);
    expect(groupsOf(entities)).toEqual([]);
    expect(
      usersOf(entities).every(user => user.spec.memberOf?.length === 0),
    ).toBe(true);

    const other = await connectedProvider({
      users: { connections: ['google-oauth2'] },
      groups: { fromRoles: false, fromOrganizations: false },
    });
    await other.provider.read();
    expect(entitiesOf(other.mutations[0])).toEqual([]);
  });

  it('reads more users than GET /api/v2/users can reach, and role members across checkpoint pages', async () => {
    await auth0.admin.setSyntheticUsers(1500);
    try {
      const { provider, mutations, log } = await connectedProvider();
      await provider.read();
      const entities = entitiesOf(mutations[0]);
      const users = usersOf(entities);
      expect(users.length).toBeGreaterThan(1_000);
      expect(new Set(users.map(user => user.metadata.name)).size).toBe(
        users.length,
      );
      const platform = groupsOf(entities).find(
        group => group.metadata.name === 'platform-team',
      )!;
      // About 10% of 1,500 plus two fixture users: more than one page of 100.
      expect(platform.spec.members!.length).toBeGreaterThan(100);
      expect(log.messages('info')).toContain(
        'Read 1513 users of the Auth0 user export',
      );
    } finally {
      await auth0.admin.setSyntheticUsers(0);
    }
  });

  it('lets transformers rename, leave out and enrich, memberships following', async () => {
    const { provider, mutations } = await connectedProvider(
      {},
      {
        userTransformer: async (user, context) => {
          if (!user.email.endsWith('@example.com')) return undefined;
          const entity = await defaultAuth0UserTransformer(user, context);
          entity!.metadata.name = `a0-${context.entityName}`;
          entity!.metadata.title = user.nickname;
          return entity;
        },
        groupTransformer: {
          dev: async (group, context) =>
            group.type === 'role'
              ? {
                  apiVersion: 'backstage.io/v1alpha1',
                  kind: 'Group',
                  metadata: { name: `team-${context.entityName}` },
                  spec: { type: 'team', children: [] },
                }
              : undefined,
        },
      },
    );
    await provider.read();
    const entities = entitiesOf(mutations[0]);
    const chris = usersOf(entities).find(u => u.metadata.name === 'a0-chris')!;
    expect(chris.metadata.title).toBe('chris');
    expect(chris.spec.memberOf).toEqual([
      'group:default/team-platform-team',
      'group:default/team-sre-on-call',
    ]);
    expect(usersOf(entities).map(u => u.metadata.name)).not.toContain(
      `a0-chris-${idHash('auth0|chris-evil', 8)}`,
    );
    expect(groupsOf(entities).map(g => g.metadata.name)).toEqual([
      'team-auditors',
      'team-payments-team',
      'team-platform-team',
      'team-sre-on-call',
    ]);
  });

  it('rides out 429s, waiting as Auth0 says', async () => {
    await auth0.admin.rateLimitManagement({ count: 2 });
    const { provider, mutations } = await connectedProvider();
    await auth0.admin.resetCounters();
    await provider.read();
    expect(mutations).toHaveLength(1);
    expect(usersOf(entitiesOf(mutations[0]))).toHaveLength(11);
    const counters = await auth0.admin.counters();
    const tooMany = Object.values(counters.managementApi).reduce(
      (sum, endpoint) => sum + (endpoint.byStatus['429'] ?? 0),
      0,
    );
    expect(tooMany).toBe(2);
  });

  it('retries a token request that Auth0 could not answer', async () => {
    await auth0.admin.failToken(503);
    const { provider, mutations } = await connectedProvider();
    // The first token request fails at once; the retry comes a second later.
    setTimeout(() => void auth0.admin.clearFailures(), 300);
    await provider.read();
    expect(mutations).toHaveLength(1);
    const counters = await auth0.admin.counters();
    expect(counters.endpoints.token.byStatus['503']).toBeGreaterThanOrEqual(1);
  });

  it('rides out Auth0’s rate limit of free tenants', async () => {
    await auth0.admin.setManagementRateLimit(true);
    const { provider, mutations } = await connectedProvider();
    await provider.read();
    await provider.read();
    expect(mutations).toHaveLength(2);
  });

  it('changes nothing when Auth0 keeps failing midway, and says so', async () => {
    const { provider, mutations, log } = await connectedProvider();
    await provider.read();
    expect(mutations).toHaveLength(1);

    await auth0.admin.failManagement(503, {
      count: null,
      endpoints: ['roleUsers'],
    });
    await expect(provider.read()).rejects.toThrow(
      /^Reading Auth0 tenant localhost:\d+ for catalog\.providers\.auth0\.dev failed while listing the users of role \w.*: Auth0 answered 503: auth0-dev-server: forced 503 \(managementFailure\) after the SDK's retries; the catalog keeps the entities of the last complete run/,
    );
    expect(mutations).toHaveLength(1);
    expect(log.messages('error')).toEqual([]);
  });

  it('changes nothing when the export job fails', async () => {
    const { provider, mutations } = await connectedProvider();
    await auth0.admin.updateKnobs({ failExportJobs: true });
    await expect(provider.read()).rejects.toThrow(
      /failed while exporting users: Auth0 user export job job_\w+ failed/,
    );
    expect(mutations).toEqual([]);
  });

  it('runs on its schedule, and a scheduled run that fails logs why and changes nothing', async () => {
    const runs: Array<() => Promise<void>> = [];
    const scheduler = {
      createScheduledTaskRunner: (schedule: unknown) => {
        expect(schedule).toEqual({
          frequency: { minutes: 30 },
          timeout: { minutes: 15 },
        });
        return {
          run: async (task: {
            id: string;
            fn: (signal: AbortSignal) => Promise<void>;
          }) => {
            expect(task.id).toBe('Auth0OrgEntityProvider:dev:refresh');
            runs.push(() => task.fn(new AbortController().signal));
          },
        };
      },
    } as unknown as Options['scheduler'];
    const { mutations, log } = await connectedProvider({}, { scheduler });
    expect(runs).toHaveLength(1);

    await runs[0]();
    expect(mutations).toHaveLength(1);

    await auth0.admin.updateKnobs({ failExportJobs: true });
    await runs[0]();
    expect(mutations).toHaveLength(1);
    expect(log.messages('error')).toEqual([
      expect.stringMatching(
        /^Reading Auth0 tenant localhost:\d+ for catalog\.providers\.auth0\.dev failed while exporting users: Auth0 user export job job_\w+ failed/,
      ),
    ]);
  });

  it('names the credentials to fix, at startup and in the failed run', async () => {
    const { provider, mutations, log } = await connectedProvider({
      clientSecret: 'not-the-secret',
    });
    const expected =
      /Auth0 refused the client credentials \(401 access_denied: Unauthorized\): check catalog\.providers\.auth0\.dev\.clientId \("backstage-catalog"\) and catalog\.providers\.auth0\.dev\.clientSecret/;
    expect(
      await log.waitFor('error', /getting a Management API token at startup/),
    ).toMatch(expected);
    await expect(provider.read()).rejects.toThrow(expected);
    expect(mutations).toEqual([]);
  });

  it('names the scopes to grant, at startup and in the failed run', async () => {
    await auth0.admin.setManagementScopes(['read:users']);
    const { provider, mutations, log } = await connectedProvider();
    expect(await log.waitFor('error', /lacks/)).toBe(
      'The Management API token of backstage-catalog for catalog.providers.auth0.dev lacks read:roles, read:organizations, read:organization_members: ' +
        'in the Auth0 Dashboard > Applications > APIs > Auth0 Management API > Machine To Machine Applications, grant the application backstage-catalog read:users, read:roles, read:organizations, read:organization_members; until then every run fails',
    );
    await expect(provider.read()).rejects.toThrow(
      /failed while listing roles: the Management API token of backstage-catalog lacks the scope read:roles \(403 insufficient_scope: Insufficient scope, expected any of: read:roles\): in the Auth0 Dashboard > Applications > APIs > Auth0 Management API > Machine To Machine Applications, grant the application backstage-catalog/,
    );
    expect(mutations).toEqual([]);
  });

  it('names the domain to fix when nothing answers there', async () => {
    const port = await closedPort();
    const { provider, log } = await connectedProvider({
      domain: `localhost:${port}`,
    });
    const expected = new RegExp(
      `cannot reach https://localhost:${port}/oauth/token \\(ECONNREFUSED\\): check catalog\\.providers\\.auth0\\.dev\\.domain`,
    );
    expect(await log.waitFor('error', /at startup/)).toMatch(expected);
    await expect(provider.read()).rejects.toThrow(expected);
  });
});

/** A port that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise(resolve => server.close(resolve));
  return port;
}
