import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  createSignInResolverFactory,
  OAuthAuthenticatorResult,
  SignInInfo,
} from '@backstage/plugin-auth-node';
import { z } from 'zod/v3';
import { Auth0IdTokenClaims } from './auth0Tokens';
import {
  AmbiguousCatalogUserError,
  EmailDomainNotAllowedError,
  EmailNotVerifiedError,
  MissingEmailError,
} from './errors';

/** What a sign-in resolver of this module receives. */
export type Auth0SignInInfo = SignInInfo<
  OAuthAuthenticatorResult<Auth0IdTokenClaims>
>;

/** Catalog lookups the email resolver needs beyond the resolver context. */
export type CatalogUserLookup = {
  /** Every User entity whose spec.profile.email equals `email`, ignoring case. */
  findUsersByEmail(email: string): Promise<Entity[]>;
};

const emailResolverOptions = z
  .object({
    /** Email domains allowed to sign in, e.g. `['example.com']`. All when absent. */
    allowedDomains: z.array(z.string().min(1)).optional(),
    /** Let emails that Auth0 has not verified sign in. Off unless set. */
    allowUnverifiedEmail: z.boolean().optional(),
  })
  .strict()
  .optional();

export type EmailResolverOptions = z.infer<typeof emailResolverOptions>;

type CheckedEmail = {
  email: string;
  localPart: string;
  /** The address without a `+tag` in the local part. */
  untaggedEmail: string;
  untaggedLocalPart: string;
};

/**
 * The checks every email-based resolver makes before looking anything up: an email
 * exists, Auth0 has verified it, and its domain is allowed. Letter case never matters.
 */
export function checkEmail(
  info: Auth0SignInInfo,
  options: EmailResolverOptions = {},
): CheckedEmail {
  const claims = info.result.fullProfile;
  const rawEmail = claims.email ?? info.profile.email;
  if (!rawEmail) {
    throw new MissingEmailError();
  }
  const email = rawEmail.trim().toLowerCase();
  if (claims.email_verified !== true && !options.allowUnverifiedEmail) {
    throw new EmailNotVerifiedError(email);
  }
  const at = email.lastIndexOf('@');
  const localPart = email.slice(0, at);
  const domain = email.slice(at + 1);
  const allowedDomains = options.allowedDomains?.map(d => d.toLowerCase());
  if (allowedDomains && !allowedDomains.includes(domain)) {
    throw new EmailDomainNotAllowedError(email, allowedDomains);
  }
  const untaggedLocalPart = localPart.split('+')[0];
  return {
    email,
    localPart,
    untaggedEmail: `${untaggedLocalPart}@${domain}`,
    untaggedLocalPart,
  };
}

/**
 * The two resolvers the guide configures, under the names it uses, with
 * `allowedDomains` honoured by both and unverified emails refused.
 */
export function createEmailSignInResolvers(options: {
  catalogUsers: CatalogUserLookup;
  logger: LoggerService;
}) {
  const { catalogUsers, logger } = options;

  const emailMatchingUserEntityProfileEmail = createSignInResolverFactory({
    optionsSchema: emailResolverOptions,
    create(resolverOptions) {
      return async (info: Auth0SignInInfo, ctx) => {
        const checked = checkEmail(info, resolverOptions);
        const candidates = [...new Set([checked.email, checked.untaggedEmail])];
        for (const candidate of candidates) {
          const users = (await catalogUsers.findUsersByEmail(candidate)).filter(
            user =>
              String(
                (user.spec as { profile?: { email?: unknown } })?.profile
                  ?.email ?? '',
              ).toLowerCase() === candidate,
          );
          if (users.length > 1) {
            const entityRefs = users.map(user => stringifyEntityRef(user));
            logger.warn(
              `Refused Auth0 sign-in for ${checked.email}: ${
                entityRefs.length
              } catalog users have the email ${candidate}: ${entityRefs.join(
                ', ',
              )}. Keep the email on one User entity.`,
            );
            throw new AmbiguousCatalogUserError(checked.email, entityRefs);
          }
          if (users.length === 1) {
            // The same token signInWithCatalogUser issues, without looking the user up again.
            const { ownershipEntityRefs } =
              await ctx.resolveOwnershipEntityRefs(users[0]);
            return ctx.issueToken({
              claims: {
                sub: stringifyEntityRef(users[0]),
                ent: ownershipEntityRefs,
              },
            });
          }
        }
        throw new NotFoundError(
          `No catalog user has spec.profile.email ${candidates.join(' or ')}`,
        );
      };
    },
  });

  const emailLocalPartMatchingUserEntityName = createSignInResolverFactory({
    optionsSchema: emailResolverOptions,
    create(resolverOptions) {
      return async (info: Auth0SignInInfo, ctx) => {
        const checked = checkEmail(info, resolverOptions);
        return ctx.signInWithCatalogUser({
          entityRef: { name: checked.untaggedLocalPart },
        });
      };
    },
  });

  return {
    emailMatchingUserEntityProfileEmail,
    emailLocalPartMatchingUserEntityName,
  };
}
