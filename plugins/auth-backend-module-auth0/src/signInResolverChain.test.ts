import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { NotFoundError, NotAllowedError } from '@backstage/errors';
import { AuthResolverContext } from '@backstage/plugin-auth-node';
import { readSignInResolverChain } from './signInResolverChain';
import { Auth0SignInInfo } from './resolvers';
import { CatalogUserNotFoundError } from './errors';

const info: Auth0SignInInfo = {
  profile: { email: 'chris@example.com' },
  result: {
    fullProfile: { sub: 'auth0|chris', email: 'chris@example.com' },
    session: { accessToken: 'at', tokenType: 'Bearer', scope: 'openid' },
  },
};
const ctx = {} as AuthResolverContext;

function chainOf(
  resolvers: JsonObject[],
  factories: Record<string, (options?: any) => any>,
  production = false,
) {
  const problems: string[] = [];
  const chain = readSignInResolverChain({
    envConfig: new ConfigReader({ signIn: { resolvers } }),
    keyPrefix: 'auth.providers.auth0.development',
    factories,
    production,
    problems,
  });
  return { chain, problems };
}

const notFound = () => async () => {
  throw new NotFoundError('no match');
};
const match = (token: string) => () => async () => ({ token });

describe('readSignInResolverChain', () => {
  it('tries resolvers in config order and names the one that matched', async () => {
    const { chain, problems } = chainOf(
      [{ resolver: 'first' }, { resolver: 'second' }, { resolver: 'third' }],
      { first: notFound, second: match('two'), third: match('three') },
    );
    expect(problems).toEqual([]);
    await expect(chain.resolve(info, ctx)).resolves.toEqual({
      result: { token: 'two' },
      resolverName: 'second',
    });
  });

  it('stops at a refusal instead of trying the next resolver', async () => {
    const later = jest.fn(match('later'));
    const { chain } = chainOf(
      [{ resolver: 'refuses' }, { resolver: 'later' }],
      {
        refuses: () => async () => {
          throw new NotAllowedError('domain not allowed');
        },
        later,
      },
    );
    await expect(chain.resolve(info, ctx)).rejects.toThrow(
      'domain not allowed',
    );
    expect(later).toHaveBeenCalledTimes(1); // created at startup, never asked
  });

  it('names the email when no resolver finds a user', async () => {
    const { chain } = chainOf([{ resolver: 'a' }, { resolver: 'b' }], {
      a: notFound,
      b: notFound,
    });
    const attempt = chain.resolve(info, ctx);
    await expect(attempt).rejects.toThrow(CatalogUserNotFoundError);
    await expect(attempt).rejects.toThrow(
      'No Backstage user has the email chris@example.com',
    );
  });

  it('passes the options beside the resolver name to the factory', () => {
    const factory = jest.fn(match('x'));
    chainOf([{ resolver: 'configured', allowedDomains: ['example.com'] }], {
      configured: factory,
    });
    expect(factory).toHaveBeenCalledWith({ allowedDomains: ['example.com'] });
  });

  it('reports every configuration problem at once', () => {
    const { problems } = chainOf(
      [
        { resolver: 'emailMatchingUserEntityProfileEmial' },
        { allowedDomains: ['example.com'] },
        { resolver: 'picky', unknownOption: true },
      ],
      {
        emailMatchingUserEntityProfileEmail: match('x'),
        picky: () => {
          throw new Error('unknownOption is not allowed');
        },
      },
    );
    expect(problems).toEqual([
      'auth.providers.auth0.development.signIn.resolvers[0].resolver "emailMatchingUserEntityProfileEmial" does not exist (available: emailMatchingUserEntityProfileEmail, picky); check the spelling, or install the module that provides it',
      'auth.providers.auth0.development.signIn.resolvers[1] has no "resolver" name (available: emailMatchingUserEntityProfileEmail, picky)',
      'auth.providers.auth0.development.signIn.resolvers[2] (picky) has invalid options: unknownOption is not allowed',
    ]);
  });

  it('requires at least one resolver', () => {
    const { problems } = chainOf([], { only: match('x') });
    expect(problems).toEqual([
      'auth.providers.auth0.development.signIn.resolvers is empty: add at least one resolver, e.g. "- resolver: emailMatchingUserEntityProfileEmail" (available: only)',
    ]);
  });

  it('refuses the local-part resolver without allowedDomains in production only', () => {
    const factories = { emailLocalPartMatchingUserEntityName: match('x') };
    const resolvers = [{ resolver: 'emailLocalPartMatchingUserEntityName' }];
    expect(chainOf(resolvers, factories, false).problems).toEqual([]);
    expect(chainOf(resolvers, factories, true).problems).toEqual([
      expect.stringContaining(
        'has no allowedDomains: in production it would sign anyone whose email local part matches a user name in, from any domain. Add "allowedDomains: [your-company.com]"',
      ),
    ]);
    expect(
      chainOf(
        [{ ...resolvers[0], allowedDomains: ['example.com'] }],
        factories,
        true,
      ).problems,
    ).toEqual([]);
  });
});
