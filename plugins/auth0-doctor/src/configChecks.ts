import {
  Auth0AuthenticatorContext,
  Auth0ConfigError,
  createAuth0Authenticator,
  createAuth0SignInResolvers,
  isProduction,
  readGroupClaims,
  readSignInResolverChain,
  sessionSecretProblems,
  SignInResolverChain,
} from '@backstage-auth0/plugin-auth-backend-module-auth0';
import { auth0UserIdMatchingUserEntityAnnotation } from '@backstage-auth0/plugin-auth-backend-module-auth0-user-id-resolver';
import { AUTH0_PROVIDER_ID } from '@backstage-auth0/plugin-auth0-common';
import {
  Auth0OrgProviderConfig,
  readAuth0OrgProviderConfigs,
} from '@backstage-auth0/plugin-catalog-backend-module-auth0';
import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { NotFoundError, toError } from '@backstage/errors';
import {
  createOAuthRouteHandlers,
  SignInResolverFactory,
} from '@backstage/plugin-auth-node';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { CheckResult, CHECKS, fail, pass, warn } from './checks';
import { LocalCatalog } from './localCatalog';

/** What the config says about sign-in, once it passed the module's startup checks. */
export type SignInSettings = {
  /** `auth.providers.auth0.<environment>` */
  keyPrefix: string;
  /** The module's own reading of the block: domain, client, audience, … */
  context: Auth0AuthenticatorContext;
  /**
   * Where Auth0 sends the browser back to, as the module computes it: `callbackUrl`, else
   * `<backend.baseUrl>/api/auth/auth0/handler/frame`; undefined without either.
   */
  callbackUrl?: string;
  /** The configured resolvers, built by the module, over the doctor's copy of the catalog. */
  chain: SignInResolverChain;
  /** Configured resolvers the doctor does not know: in its chain they find nobody. */
  unknownResolvers: string[];
  /** The origin the app is served from, which sign-out returns to (`app.baseUrl`). */
  appOrigin?: string;
};

/**
 * The Auth0 module's startup checks of `auth.providers.auth0.<auth.environment>` and
 * `auth.session`, run by the module's and auth-node's own code, the way the backend runs them:
 * the resolver chain, the group claims, the session secret, then auth-node's route handlers
 * with the module's authenticator (domain, client id and secret, `refreshResultWindow`,
 * `sessionDuration`). Problems are the module's, word for word.
 */
export function checkSignInConfig(
  config: Config,
  catalog: LocalCatalog,
): { result: CheckResult; settings?: SignInSettings } {
  const environment =
    config.getOptionalString('auth.environment') ?? 'development';
  const keyPrefix = `auth.providers.auth0.${environment}`;
  const envConfig = config
    .getOptionalConfig('auth.providers.auth0')
    ?.getOptionalConfig(environment);
  if (!envConfig) {
    return {
      result: refused([
        `${keyPrefix} is missing: auth.environment is "${environment}", so the Auth0 settings must be under that key`,
      ]),
    };
  }

  const configured = (
    envConfig.getOptionalConfigArray('signIn.resolvers') ?? []
  ).flatMap(resolver => resolver.getOptionalString('resolver') ?? []);
  const factories = resolverFactories(catalog);
  const unknownResolvers = configured.filter(
    name => !Object.hasOwn(factories, name),
  );
  for (const name of unknownResolvers) {
    factories[name] = findsNobody(name);
  }

  let problems: string[] = [];
  const chain = readSignInResolverChain({
    envConfig,
    keyPrefix,
    factories,
    production: isProduction(config),
    problems,
  });
  readGroupClaims({ envConfig, keyPrefix, problems });
  problems.push(...sessionSecretProblems(config));

  const authenticator = createAuth0Authenticator({
    refreshCoordinator: {
      refreshOnce: () =>
        Promise.reject(new Error('the doctor refreshes no session')),
    },
    configPath: keyPrefix,
  });
  const backendBaseUrl = config.getOptionalString('backend.baseUrl');
  const appUrl = config.getOptionalString('app.baseUrl');
  let context: Auth0AuthenticatorContext | undefined;
  try {
    createOAuthRouteHandlers({
      authenticator: {
        ...authenticator,
        initialize: input => {
          context = authenticator.initialize(input);
          return context;
        },
      },
      // Both only make the default callback URL, which needs backend.baseUrl (see below).
      appUrl: appUrl ?? 'http://localhost',
      baseUrl: `${backendBaseUrl?.replace(/\/+$/, '') ?? ''}/api/auth`,
      isOriginAllowed: () => false,
      providerId: AUTH0_PROVIDER_ID,
      config: envConfig,
      resolverContext: catalog.resolverContext(),
    });
  } catch (error) {
    // As the module words it: its own problems, or auth-node's (a bad sessionDuration).
    const first =
      error instanceof Auth0ConfigError
        ? error.problems
        : [`${keyPrefix}: ${toError(error).message}`];
    problems = [...first, ...problems];
  }
  if (problems.length > 0 || !context) {
    return { result: refused(problems) };
  }

  const found = `${keyPrefix} (auth.environment ${environment}): tenant ${
    context.settings.domain
  }, client ${context.settings.clientId}, resolvers ${configured.join(', ')}`;
  const settings: SignInSettings = {
    keyPrefix,
    context,
    callbackUrl:
      context.settings.callbackUrl ??
      (backendBaseUrl ? context.callbackUrl : undefined),
    chain,
    unknownResolvers,
    appOrigin: appUrl ? new URL(appUrl).origin : undefined,
  };
  if (unknownResolvers.length > 0) {
    return {
      result: warn(
        CHECKS.config,
        `${found}; the doctor does not know ${unknownResolvers.join(
          ', ',
        )}, so it cannot check their options, and catalog-coverage counts the users only they would sign in as refused`,
        "make sure the backend installs the module that adds them (it refuses to start otherwise); the doctor knows the Auth0 module's resolvers and auth0UserIdMatchingUserEntityAnnotation",
      ),
      settings,
    };
  }
  return { result: pass(CHECKS.config, found), settings };
}

/**
 * The providers under `catalog.providers.auth0`, checked by the catalog module's own reader;
 * no result when there are none.
 */
export function checkCatalogProviderConfig(config: Config): {
  result?: CheckResult;
  providers: Auth0OrgProviderConfig[];
} {
  let providers: Auth0OrgProviderConfig[];
  try {
    providers = readAuth0OrgProviderConfigs(config);
  } catch (error) {
    const problems = (error as { problems?: string[] }).problems ?? [
      toError(error).message,
    ];
    return {
      result: fail(
        CHECKS.catalogProviderConfig,
        'the Auth0 catalog provider would refuse to start, and the catalog with it',
        'fix each problem below as it says (docs/troubleshooting.md, "The Auth0 catalog provider cannot start")',
        problems,
      ),
      providers: [],
    };
  }
  if (providers.length === 0) {
    return { providers };
  }
  return {
    result: pass(
      CHECKS.catalogProviderConfig,
      providers
        .map(
          provider =>
            `catalog.providers.auth0.${provider.id}: tenant ${provider.domain}, application ${provider.clientId}`,
        )
        .join('; '),
    ),
    providers,
  };
}

function refused(problems: string[]): CheckResult {
  return fail(
    CHECKS.config,
    'the Auth0 provider would refuse to start',
    'fix each problem below as it says (docs/troubleshooting.md, "The Auth0 provider cannot start")',
    problems,
  );
}

/**
 * The resolvers the doctor can build: the module's, and the user-id resolver of
 * `@backstage-auth0/plugin-auth-backend-module-auth0-user-id-resolver`. They look users up in
 * the doctor's copy of the catalog; what they would log goes nowhere.
 */
function resolverFactories(
  catalog: LocalCatalog,
): Record<string, SignInResolverFactory> {
  const silent: LoggerService = {
    error() {},
    warn() {},
    info() {},
    debug() {},
    child: () => silent,
  };
  const builtIn = createAuth0SignInResolvers({
    // The resolvers read the catalog through getEntities only.
    catalog: catalog as unknown as CatalogService,
    auth: {
      getOwnServiceCredentials: async () => ({
        $$type: '@backstage/BackstageCredentials',
        principal: { type: 'service', subject: 'plugin:auth0-doctor' },
      }),
    } as unknown as AuthService,
    logger: silent,
  });
  return { ...builtIn, auth0UserIdMatchingUserEntityAnnotation };
}

/** A resolver the doctor cannot run: it takes any options and finds nobody. */
function findsNobody(name: string): SignInResolverFactory {
  return () => async () => {
    throw new NotFoundError(`the doctor cannot run the resolver ${name}`);
  };
}
