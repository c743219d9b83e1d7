import { Config } from '@backstage/config';
import {
  AuthResolverContext,
  BackstageSignInResult,
  SignInResolver,
  SignInResolverFactory,
} from '@backstage/plugin-auth-node';
import { Auth0SignInInfo, Auth0SignInResolverFactories } from './resolvers';
import { CatalogUserNotFoundError } from './errors';
import { foldAsciiCase } from './foldAsciiCase';

const LOCAL_PART_RESOLVER: keyof Auth0SignInResolverFactories =
  'emailLocalPartMatchingUserEntityName';

/**
 * A sign-in the chain resolved, and which resolver did it.
 *
 * @public
 */
export type ResolvedSignIn = {
  result: BackstageSignInResult;
  /** The name of the configured resolver that matched. */
  resolverName: string;
};

/**
 * The configured resolvers, tried in order.
 *
 * @public
 */
export type SignInResolverChain = {
  resolve(
    info: Auth0SignInInfo,
    ctx: AuthResolverContext,
  ): Promise<ResolvedSignIn>;
};

/**
 * Builds the chain from `signIn.resolvers`: the first match wins, a `NotFoundError`
 * moves on to the next resolver, any other error is a refusal and stops the chain.
 * Configuration problems are added to `problems` rather than thrown one at a time.
 *
 * @public
 */
export function readSignInResolverChain(options: {
  envConfig: Config;
  keyPrefix: string;
  factories: Record<
    string,
    SignInResolverFactory<Auth0SignInInfo['result'], any>
  >;
  production: boolean;
  problems: string[];
}): SignInResolverChain {
  const { envConfig, keyPrefix, factories, production, problems } = options;
  const available = Object.keys(factories).sort().join(', ');
  const configs = envConfig.getOptionalConfigArray('signIn.resolvers') ?? [];
  if (configs.length === 0) {
    problems.push(
      `${keyPrefix}.signIn.resolvers is empty: add at least one resolver, e.g. "- resolver: emailMatchingUserEntityProfileEmail" (available: ${available})`,
    );
  }

  const resolvers: Array<{
    name: string;
    resolver: SignInResolver<Auth0SignInInfo['result']>;
  }> = [];
  configs.forEach((resolverConfig, index) => {
    const key = `${keyPrefix}.signIn.resolvers[${index}]`;
    const name = resolverConfig.getOptionalString('resolver');
    if (!name) {
      problems.push(`${key} has no "resolver" name (available: ${available})`);
      return;
    }
    if (!Object.hasOwn(factories, name)) {
      problems.push(
        `${key}.resolver "${name}" does not exist (available: ${available}); check the spelling, or install the module that provides it`,
      );
      return;
    }
    const { resolver: _name, ...resolverOptions } =
      resolverConfig.get<Record<string, unknown>>();
    if (
      production &&
      name === LOCAL_PART_RESOLVER &&
      !(resolverOptions.allowedDomains as unknown[] | undefined)?.length
    ) {
      problems.push(
        `${key} (${LOCAL_PART_RESOLVER}) has no allowedDomains: in production it would sign anyone whose email local part matches a user name in, from any domain. Add "allowedDomains: [your-company.com]"`,
      );
      return;
    }
    try {
      resolvers.push({
        name,
        resolver: factories[name](
          Object.keys(resolverOptions).length > 0 ? resolverOptions : undefined,
        ),
      });
    } catch (error) {
      problems.push(
        `${key} (${name}) has invalid options: ${(error as Error).message}`,
      );
    }
  });

  return {
    async resolve(info, ctx) {
      for (const { name, resolver } of resolvers) {
        try {
          return { result: await resolver(info, ctx), resolverName: name };
        } catch (error) {
          if ((error as Error)?.name !== 'NotFoundError') {
            throw error;
          }
        }
      }
      const email = info.result.fullProfile.email;
      throw new CatalogUserNotFoundError(
        (email && foldAsciiCase(email)) ??
          info.profile.email ??
          info.result.fullProfile.sub,
      );
    },
  };
}
