import { ConfigReader } from '@backstage/config';
import {
  PermissionPolicyConfigError,
  readPermissionPolicyConfig,
} from './config';

const withAdmins = (admins: unknown) =>
  new ConfigReader({
    backstageAuth0: { permissions: { admins } },
  } as any);

function problemsOf(read: () => unknown): string[] {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(PermissionPolicyConfigError);
    return (error as PermissionPolicyConfigError).problems;
  }
  throw new Error('expected a PermissionPolicyConfigError');
}

describe('readPermissionPolicyConfig', () => {
  it('has no admins without the key', () => {
    expect(readPermissionPolicyConfig(new ConfigReader({}))).toEqual({
      admins: [],
    });
  });

  it('reads Users and Groups as the lower-case refs that tokens carry', () => {
    expect(
      readPermissionPolicyConfig(
        withAdmins([
          'group:default/platform-team',
          'User:Default/Chris',
          ' group:ops ',
          'group:default/platform-team',
        ]),
      ),
    ).toEqual({
      admins: [
        'group:default/platform-team',
        'user:default/chris',
        'group:default/ops',
      ],
    });
  });

  it('reports every bad entry with its key and an example', () => {
    const problems = problemsOf(() =>
      readPermissionPolicyConfig(
        withAdmins([
          'group:default/platform-team',
          'platform-team',
          'component:default/backstage',
          '',
          42,
          'group:default/has space',
        ]),
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^backstageAuth0\.permissions\.admins\[1\] "platform-team" is not an entity ref: write it as .*group:default\/platform-team/,
      ),
      expect.stringMatching(
        /^backstageAuth0\.permissions\.admins\[2\] "component:default\/backstage" names a component: only Users and Groups can be admins/,
      ),
      expect.stringMatching(
        /^backstageAuth0\.permissions\.admins\[3\] is "", not an entity ref/,
      ),
      expect.stringMatching(
        /^backstageAuth0\.permissions\.admins\[4\] is 42, not an entity ref/,
      ),
      expect.stringMatching(
        /^backstageAuth0\.permissions\.admins\[5\] "group:default\/has space" is not a valid catalog name/,
      ),
    ]);
  });

  it('says the whole problem in the message the backend logs when it cannot start', () => {
    expect(() =>
      readPermissionPolicyConfig(withAdmins(['platform-team'])),
    ).toThrow(
      /^The permission policy cannot start:\n {2}- backstageAuth0\.permissions\.admins\[0\] "platform-team"/,
    );
  });

  it.each([
    ['a string', 'group:default/platform-team'],
    ['an object', { group: 'platform-team' }],
  ])('refuses %s instead of a list, naming the key', (_kind, admins) => {
    expect(
      problemsOf(() => readPermissionPolicyConfig(withAdmins(admins))),
    ).toEqual([
      'backstageAuth0.permissions.admins must be a list of entity refs of Users or Groups, e.g. [group:default/platform-team]',
    ]);
  });

  it('refuses a permissions key that is not an object, naming it', () => {
    const problems = problemsOf(() =>
      readPermissionPolicyConfig(
        new ConfigReader({ backstageAuth0: { permissions: 'admins' } }),
      ),
    );
    expect(problems).toEqual([
      expect.stringContaining('backstageAuth0.permissions'),
    ]);
  });
});
