import { AsyncLocalStorage } from 'node:async_hooks';
import { Request, Response } from 'express';
import {
  AuthService,
  CacheService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { toError } from '@backstage/errors';
import { decodeJwt } from 'jose';
import {
  AuthProviderFactory,
  AuthProviderRouteHandlers,
  createOAuthRouteHandlers,
  OAuthEnvironmentHandler,
  SignInResolver,
  SignInResolverFactory,
} from '@backstage/plugin-auth-node';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { Auth0Audit } from './audit';
import { createAuth0Authenticator } from './authenticator';
import {
  Auth0ConfigError,
  isProduction,
  sessionSecretProblems,
} from './config';
import { DEFAULT_RETRY_AFTER_SECONDS } from './auth0Tokens';
import { Auth0UnavailableError } from './errors';
import { createClaimedGroups, readGroupClaims } from './groupClaims';
import {
  CachedIdentity,
  IdentityCache,
  readIdentityCacheTtl,
} from './identityCache';
import { InFlightRequests } from './inFlightRequests';
import { Auth0Metrics, RefreshOutcome } from './metrics';
import { observeResolverContext } from './observedResolverContext';
import { Auth0RefreshCoordinator } from './refreshCoordinator';
import { Auth0SignInInfo } from './resolvers';
import { readSignInResolverChain } from './signInResolverChain';
import { traceRefresh, traceRefreshPhase } from './tracing';

/**
 * The `auth0` provider for the environment named by `auth.environment`: validates its
 * configuration at startup (every problem at once: the authenticator's settings, the
 * resolver chain, the session secret), then serves Backstage's standard OAuth routes with
 * this module's authenticator, resolver chain and audit records.
 */
export function createAuth0ProviderFactory(options: {
  rootConfig: Config;
  resolverFactories: Record<string, SignInResolverFactory<any, any>>;
  refreshCoordinator: Auth0RefreshCoordinator;
  inFlight: InFlightRequests;
  audit: Auth0Audit;
  metrics: Auth0Metrics;
  logger: LoggerService;
  /** For `signIn.groupClaims`: which claimed Groups exist. */
  catalog: CatalogService;
  auth: AuthService;
  /** For the identity cache (`signIn.identityCacheTtl`): the auth plugin's cache. */
  cache: CacheService;
}): AuthProviderFactory {
  const { rootConfig, refreshCoordinator, inFlight, audit, metrics, logger } =
    options;

  return ctx => {
    const environment =
      rootConfig.getOptionalString('auth.environment') ?? 'development';
    const keyPrefix = `auth.providers.auth0.${environment}`;
    const unused = ctx.config.keys().filter(key => key !== environment);
    if (unused.length > 0) {
      logger.info(
        `Auth0: using ${keyPrefix}; ignoring the blocks for ${unused.join(
          ', ',
        )} (auth.environment is ${environment})`,
      );
    }
    const envConfig = ctx.config.getOptionalConfig(environment);
    if (!envConfig) {
      throw new Auth0ConfigError([
        `${keyPrefix} is missing: auth.environment is "${environment}", so the Auth0 settings must be under that key`,
      ]);
    }

    const problems: string[] = [];
    const chain = readSignInResolverChain({
      envConfig,
      keyPrefix,
      factories: options.resolverFactories,
      production: isProduction(rootConfig),
      problems,
    });
    const groupClaims = readGroupClaims({ envConfig, keyPrefix, problems });
    const claimedGroups =
      groupClaims.length > 0
        ? createClaimedGroups({
            groupClaims,
            catalog: options.catalog,
            auth: options.auth,
            logger,
          })
        : undefined;
    const identityCacheTtlMs = readIdentityCacheTtl({
      envConfig,
      keyPrefix,
      problems,
    });
    const identityCache =
      identityCacheTtlMs > 0
        ? new IdentityCache({
            cache: options.cache,
            ttlMs: identityCacheTtlMs,
            logger,
            groupClaimNames: groupClaims.map(({ claim }) => claim),
            signInSettings: envConfig.getOptional('signIn') ?? null,
          })
        : undefined;
    problems.push(...sessionSecretProblems(rootConfig));

    // Tells a refresh that exchanged the token at Auth0 from one that got another's result, and
    // holds the identity cache's entry, read while the ID token is verified.
    const refreshAttempts = new AsyncLocalStorage<RefreshAttempt>();
    const authenticator = createAuth0Authenticator({
      refreshCoordinator: {
        refreshOnce(refreshToken, exchange, refreshOptions) {
          const attempt = refreshAttempts.getStore();
          const tokens = refreshCoordinator.refreshOnce(
            refreshToken,
            () => {
              if (attempt) attempt.exchanged = true;
              return exchange();
            },
            refreshOptions,
          );
          if (!attempt || !identityCache) {
            return tokens;
          }
          return tokens.then(response => {
            // Unverified here: only a key, whose entry counts once the verified claims match.
            const subject = unverifiedSubject(response.id_token);
            if (subject) {
              attempt.identity = {
                subject,
                entry: identityCache.lookup(subject),
              };
            }
            return response;
          });
        },
      },
      fetch: metrics.observedFetch(),
      configPath: keyPrefix,
      async onRevokeFailed(error) {
        logger.warn(
          `Auth0: sign-out could not revoke the refresh token at Auth0 (${error.message}); ` +
            'the session cookie was cleared, but the token stays valid at Auth0 until it expires',
        );
        await audit.revokeFailed(error);
      },
    });
    const signInResolver: SignInResolver<Auth0SignInInfo['result']> = async (
      info,
      resolverContext,
    ) => {
      const claims = info.result.fullProfile;
      // The catalog's answers about the Groups the roles claim names, shared with the cache.
      const knownGroups = new Map<string, boolean>();
      // The claims of this sign-in's or refresh's ID token: a role removed in Auth0 stops
      // counting at the next refresh, cached identity or not.
      const claimedGroupsNow = claimedGroups
        ? () => claimedGroups(claims, knownGroups)
        : undefined;
      try {
        if (identityCache && audit.currentFlow === 'refresh') {
          const prefetched = refreshAttempts.getStore()?.identity;
          const entry = await (prefetched?.subject === claims.sub
            ? prefetched.entry
            : identityCache.lookup(claims.sub));
          const cached =
            entry && identityCache.matches(entry, claims) ? entry : undefined;
          if (cached) {
            for (const [ref, has] of Object.entries(cached.claimedGroups)) {
              knownGroups.set(ref, has);
            }
            const groups =
              claimedGroupsNow && cached.addsClaimedGroups
                ? await traceRefreshPhase('ownership', claimedGroupsNow)
                : [];
            return await traceRefreshPhase('issue_token', () =>
              resolverContext.issueToken({
                claims: {
                  ...cached.claims,
                  ent: [...new Set([...cached.claims.ent, ...groups])],
                },
              }),
            );
          }
        }
        const observed = observeResolverContext(
          resolverContext,
          claimedGroupsNow,
        );
        const { result, resolverName } = await traceRefreshPhase(
          'resolve',
          () => chain.resolve(info, observed.context),
        );
        const cacheable = identityCache && observed.cacheable(result);
        if (cacheable) {
          await identityCache.write(claims, {
            ...cacheable,
            claimedGroups: Object.fromEntries(knownGroups),
          });
        }
        if (audit.currentFlow === 'sign-in') {
          metrics.signedIn();
          await audit.signedIn(
            info,
            String(decodeJwt(result.token).sub),
            resolverName,
          );
        }
        return result;
      } catch (error) {
        if (audit.currentFlow === 'sign-in') {
          metrics.signInFailed(error);
          await audit.signInRefused(toError(error), info);
        }
        throw error;
      }
    };

    let handlers: AuthProviderRouteHandlers;
    try {
      // Initializes the authenticator, which reads the environment block's settings.
      handlers = createOAuthRouteHandlers({
        authenticator: {
          ...authenticator,
          async authenticate(input, authenticatorCtx) {
            try {
              return await authenticator.authenticate(input, authenticatorCtx);
            } catch (error) {
              metrics.signInFailed(error);
              await audit.signInRefused(toError(error));
              throw error;
            }
          },
        },
        appUrl: ctx.appUrl,
        baseUrl: ctx.baseUrl,
        config: envConfig,
        isOriginAllowed: ctx.isOriginAllowed,
        cookieConfigurer: ctx.cookieConfigurer,
        providerId: ctx.providerId,
        resolverContext: ctx.resolverContext,
        signInResolver,
      });
    } catch (error) {
      // auth-node reads `sessionDuration` before it initializes the authenticator, so a bad
      // duration arrives as a plain error; it is one more problem to report with the others.
      const first =
        error instanceof Auth0ConfigError
          ? error.problems
          : [`${keyPrefix}: ${toError(error).message}`];
      throw new Auth0ConfigError([...first, ...problems]);
    }
    if (problems.length > 0) {
      throw new Auth0ConfigError(problems);
    }

    const audited: AuthProviderRouteHandlers = {
      start: (req, res) => handlers.start(req, res),
      frameHandler: (req, res) =>
        inFlight.track(() =>
          audit.within({ kind: 'sign-in', req }, () =>
            handlers.frameHandler(req, res),
          ),
        ),
      refresh: async (req, res) => {
        if (inFlight.closing) {
          // The load balancer sends the retry to a replica that is not stopping.
          sendUnavailable(req, res, {
            name: 'ServiceUnavailableError',
            message:
              'This Backstage instance is shutting down; your session is kept, and the app tries again on another instance.',
            retryAfterSeconds: 1,
          });
          return;
        }
        const startedAt = performance.now();
        const attempt: RefreshAttempt = { exchanged: false };
        // What a thrown error becomes: a 401, which ends the session.
        let outcome: RefreshOutcome = 'revoked';
        try {
          await inFlight.track(() =>
            audit.within({ kind: 'refresh', req }, () =>
              refreshAttempts.run(attempt, () =>
                traceRefresh(async () => {
                  try {
                    await handlers.refresh!(req, res);
                    outcome = attempt.exchanged ? 'success' : 'shared';
                  } catch (error) {
                    await audit.refreshRefused(toError(error));
                    const unavailable = findAuth0Unavailable(error);
                    if (!unavailable) {
                      throw error;
                    }
                    outcome = 'unavailable';
                    sendUnavailable(req, res, unavailable);
                  }
                }),
              ),
            ),
          );
        } finally {
          metrics.refreshed(outcome, (performance.now() - startedAt) / 1000);
        }
      },
      logout: (req, res) =>
        inFlight.track(() =>
          audit.within({ kind: 'sign-out', req }, async () => {
            await handlers.logout!(req, res);
            await audit.signedOut(req);
          }),
        ),
    };
    return new OAuthEnvironmentHandler(new Map([[environment, audited]]));
  };
}

type RefreshAttempt = {
  exchanged: boolean;
  identity?: { subject: string; entry: Promise<CachedIdentity | undefined> };
};

function unverifiedSubject(idToken: string | undefined): string | undefined {
  try {
    const { sub } = decodeJwt(idToken ?? '');
    return typeof sub === 'string' ? sub : undefined;
  } catch {
    return undefined;
  }
}

/** auth-node wraps every refresh failure in an AuthenticationError; the reason is its cause. */
function findAuth0Unavailable(
  error: unknown,
): Auth0UnavailableError | undefined {
  for (
    let current = error as Error | undefined, depth = 0;
    current && depth < 5;
    current = current.cause as Error | undefined, depth++
  ) {
    if (current instanceof Auth0UnavailableError) {
      return current;
    }
  }
  return undefined;
}

/**
 * A refresh that failed because of Auth0 or a stopping replica, not because of the
 * session, answers 503: the
 * frontend keeps the person signed in on their current token and tries again after
 * `Retry-After`. A 401 still means the session is over. The body has Backstage's usual
 * error shape.
 */
function sendUnavailable(
  req: Request,
  res: Response,
  error: { name: string; message: string; retryAfterSeconds?: number },
) {
  res
    .status(503)
    .set(
      'Retry-After',
      String(error.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS),
    )
    .set('Cache-Control', 'no-store')
    .json({
      error: { name: error.name, message: error.message },
      request: { method: req.method, url: req.originalUrl.split('?')[0] },
      response: { statusCode: 503 },
    });
}
