import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  AuthResolverContext,
  BackstageSignInResult,
  TokenParams,
} from '@backstage/plugin-auth-node';
import { CachedIdentity } from './identityCache';
import { traceRefreshPhase } from './tracing';

/**
 * The resolver context that the module's resolvers see: the auth backend's, with the Groups of
 * `signIn.groupClaims` added to every ownership it resolves (including through
 * `signInWithCatalogUser`; a `dangerousEntityRefFallback` sign-in is left to the auth backend
 * as it is), ownership and token issuing traced at refresh, and a record of the token issued,
 * so that the identity cache can keep what came from the catalog.
 */
export function observeResolverContext(
  ctx: AuthResolverContext,
  claimedGroups?: () => Promise<string[]>,
): {
  context: AuthResolverContext;
  /**
   * What the token of `result` was issued with, minus the claimed Groups that the catalog
   * ownership did not already have, and whether those Groups were added (a resolver that
   * issues its token without resolving ownership gets none); undefined when the resolver
   * issued it some other way.
   */
  cacheable(
    result: BackstageSignInResult,
  ): Pick<CachedIdentity, 'claims' | 'addsClaimedGroups'> | undefined;
} {
  const fromClaimsOnly = new Set<string>();
  const issued: Array<{ claims: TokenParams['claims']; token: string }> = [];
  let issuedElsewhere = false;
  let addedClaimedGroups = false;

  const resolveOwnershipEntityRefs: AuthResolverContext['resolveOwnershipEntityRefs'] =
    entity =>
      traceRefreshPhase('ownership', async () => {
        addedClaimedGroups ||= claimedGroups !== undefined;
        const [{ ownershipEntityRefs }, groups] = await Promise.all([
          ctx.resolveOwnershipEntityRefs(entity),
          claimedGroups ? claimedGroups() : [],
        ]);
        for (const group of groups) {
          if (!ownershipEntityRefs.includes(group)) fromClaimsOnly.add(group);
        }
        return {
          ownershipEntityRefs: [
            ...new Set([...ownershipEntityRefs, ...groups]),
          ],
        };
      });

  const issueToken: AuthResolverContext['issueToken'] = params =>
    traceRefreshPhase('issue_token', async () => {
      const result = await ctx.issueToken(params);
      issued.push({ claims: params.claims, token: result.token });
      return result;
    });

  const context: AuthResolverContext = {
    issueToken,
    findCatalogUser: query => ctx.findCatalogUser(query),
    resolveOwnershipEntityRefs,
    async signInWithCatalogUser(query, options) {
      if (options?.dangerousEntityRefFallback) {
        issuedElsewhere = true;
        return ctx.signInWithCatalogUser(query, options);
      }
      const { entity } = await ctx.findCatalogUser(query);
      const { ownershipEntityRefs } = await resolveOwnershipEntityRefs(entity);
      return issueToken({
        claims: { sub: stringifyEntityRef(entity), ent: ownershipEntityRefs },
      });
    },
  };

  return {
    context,
    cacheable(result) {
      if (issuedElsewhere || issued.length !== 1) return undefined;
      const [{ claims, token }] = issued;
      if (token !== result.token) return undefined;
      // The auth backend issues `[sub]` when `ent` is missing.
      const ent = (claims.ent ?? [claims.sub]).filter(
        ref => !fromClaimsOnly.has(ref),
      );
      return {
        claims: { ...claims, sub: claims.sub, ent },
        addsClaimedGroups: addedClaimedGroups,
      };
    },
  };
}
