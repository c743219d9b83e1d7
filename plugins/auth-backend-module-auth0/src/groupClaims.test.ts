import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { JsonValue } from '@backstage/types';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createClaimedGroups, readGroupClaims } from './groupClaims';

const ROLES = 'https://backstage.example.com/roles';

function group(name: string, namespace = 'default'): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace },
    spec: { type: 'role', children: [] },
  };
}

const chris: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name: 'chris', namespace: 'default' },
  spec: { memberOf: ['payments-team'] },
};

function claimedGroups(groupClaims = [{ claim: ROLES, namespace: 'default' }]) {
  const logger = mockServices.logger.mock();
  const catalog = catalogServiceMock({
    entities: [
      group('platform-team'),
      group('sre-on-call'),
      group('platform-team', 'ops'),
      chris,
    ],
  });
  const getEntitiesByRefs = jest.spyOn(catalog, 'getEntitiesByRefs');
  const resolve = createClaimedGroups({
    groupClaims,
    catalog,
    auth: mockServices.auth(),
    logger,
  });
  return { resolve, logger, getEntitiesByRefs };
}

describe('readGroupClaims', () => {
  const read = (groupClaims: JsonValue | undefined) => {
    const problems: string[] = [];
    const claims = readGroupClaims({
      envConfig: new ConfigReader({ signIn: { groupClaims } }),
      keyPrefix: 'auth.providers.auth0.production',
      problems,
    });
    return { claims, problems };
  };

  it('reads each claim with its namespace, default unless given', () => {
    expect(
      read([{ claim: ROLES }, { claim: 'groups', namespace: 'ops' }]),
    ).toEqual({
      claims: [
        { claim: ROLES, namespace: 'default' },
        { claim: 'groups', namespace: 'ops' },
      ],
      problems: [],
    });
    expect(read(undefined)).toEqual({ claims: [], problems: [] });
  });

  it('names the key of a missing claim, a bad namespace and a wrong shape', () => {
    expect(read([{ namespace: 'default' }]).problems).toEqual([
      expect.stringMatching(
        /^auth\.providers\.auth0\.production\.signIn\.groupClaims\[0\]\.claim is missing/,
      ),
    ]);
    expect(read([{ claim: ROLES, namespace: 'Not Valid' }]).problems).toEqual([
      expect.stringContaining(
        'signIn.groupClaims[0].namespace "Not Valid" is not a catalog namespace',
      ),
    ]);
    expect(read('roles').problems).toEqual([
      expect.stringContaining(
        'auth.providers.auth0.production.signIn.groupClaims must be a list',
      ),
    ]);
  });
});

describe('createClaimedGroups', () => {
  it('names Groups as the catalog provider does, and keeps those the catalog has', async () => {
    const { resolve, logger } = claimedGroups();
    await expect(
      resolve({ [ROLES]: ['Platform Team', 'SRE On-Call', 'ghost-group'] }),
    ).resolves.toEqual([
      'group:default/platform-team',
      'group:default/sre-on-call',
    ]);
    expect(logger.debug).toHaveBeenCalledWith(
      'Auth0: the ID token claim value "ghost-group" names group:default/ghost-group, which is not in the catalog; it adds no ownership',
    );
  });

  it('takes a single string, uses the namespace, and never names a User', async () => {
    const { resolve } = claimedGroups([{ claim: ROLES, namespace: 'ops' }]);
    await expect(resolve({ [ROLES]: 'Platform Team' })).resolves.toEqual([
      'group:ops/platform-team',
    ]);
    const inDefault = claimedGroups();
    await expect(inDefault.resolve({ [ROLES]: 'chris' })).resolves.toEqual([]);
  });

  it('asks the catalog nothing without values, and logs a missing group once', async () => {
    const { resolve, logger, getEntitiesByRefs } = claimedGroups();
    await expect(resolve({ sub: 'auth0|chris' })).resolves.toEqual([]);
    await expect(resolve({ [ROLES]: [] })).resolves.toEqual([]);
    await expect(resolve({ [ROLES]: ['用户'] })).resolves.toEqual([]);
    expect(getEntitiesByRefs).not.toHaveBeenCalled();

    await resolve({ [ROLES]: ['ghost'] });
    await resolve({ [ROLES]: ['ghost'] });
    expect(logger.debug).toHaveBeenCalledTimes(1);
  });

  it('asks the catalog only about Groups whose answer is not known yet, and records its answers', async () => {
    const { resolve, getEntitiesByRefs } = claimedGroups();
    const known = new Map([
      ['group:default/platform-team', true],
      ['group:default/gone-team', false],
    ]);
    await expect(
      resolve({ [ROLES]: ['Platform Team', 'gone-team'] }, known),
    ).resolves.toEqual(['group:default/platform-team']);
    expect(getEntitiesByRefs).not.toHaveBeenCalled();

    await expect(
      resolve({ [ROLES]: ['Platform Team', 'SRE On-Call'] }, known),
    ).resolves.toEqual([
      'group:default/platform-team',
      'group:default/sre-on-call',
    ]);
    expect(getEntitiesByRefs).toHaveBeenCalledTimes(1);
    expect(getEntitiesByRefs.mock.calls[0][0].entityRefs).toEqual([
      'group:default/sre-on-call',
    ]);
    expect(known.get('group:default/sre-on-call')).toBe(true);
  });

  it('ignores a claim that is neither a string nor an array of strings, with one warning', async () => {
    const { resolve, logger } = claimedGroups();
    await expect(resolve({ [ROLES]: 42 })).resolves.toEqual([]);
    await expect(
      resolve({ [ROLES]: ['Platform Team', { name: 'x' }] }),
    ).resolves.toEqual([]);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(
      `Auth0: the ID token claim ${ROLES} is neither a string nor an array of strings (it is a number); it is ignored. Make the Auth0 Action set it to the list of role names`,
    );
  });
});
