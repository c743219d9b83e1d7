import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  AuthResolverContext,
  createSignInResolverFactory,
  OAuthAuthenticatorResult,
  SignInInfo,
  SignInResolverFactory,
} from '@backstage/plugin-auth-node';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { z } from 'zod/v3';
import { Auth0IdTokenClaims } from './auth0Tokens';
import { foldAsciiCase } from './foldAsciiCase';
import {
  AmbiguousCatalogUserError,
  CatalogUserEmailMismatchError,
  EmailDomainNotAllowedError,
  EmailNotVerifiedError,
  MissingEmailError,
} from './errors';

/**
 * What a sign-in resolver of the Auth0 provider receives.
 *
 * @public
 */
export type Auth0SignInInfo = SignInInfo<
  OAuthAuthenticatorResult<Auth0IdTokenClaims>
>;

/**
 * Options of `emailMatchingUserEntityProfileEmail`, and what {@link checkEmail} checks.
 *
 * @public
 */
export type EmailResolverOptions = {
  /** Email domains allowed to sign in, e.g. `['example.com']`. All when absent. */
  allowedDomains?: string[];
  /** Let emails that Auth0 has not verified sign in. Off unless set. */
  allowUnverifiedEmail?: boolean;
};

/**
 * Options of `emailLocalPartMatchingUserEntityName`.
 *
 * @public
 */
export type EmailLocalPartResolverOptions = EmailResolverOptions & {
  /**
   * Sign in a User named after the local part even when its `spec.profile.email` is
   * another address. Off unless set: same name is not proof of same person.
   */
  allowEmailMismatch?: boolean;
};

/**
 * The services the built-in resolvers use beyond the resolver context.
 *
 * @public
 */
export type Auth0SignInResolversOptions = {
  /**
   * Finds every User with an email, so that two users with one email are refused (the
   * resolver context's lookups find one or fail without naming them).
   */
  catalog: CatalogService;
  /** Gives the catalog reads the calling plugin's own service credentials. */
  auth: AuthService;
  /** Where refusals are explained with entity refs, which never reach the browser. */
  logger: LoggerService;
};

/**
 * The built-in resolver factories, under the names config uses.
 *
 * @public
 */
export type Auth0SignInResolverFactories = {
  emailMatchingUserEntityProfileEmail: SignInResolverFactory<
    Auth0SignInInfo['result'],
    EmailResolverOptions | undefined
  >;
  emailLocalPartMatchingUserEntityName: SignInResolverFactory<
    Auth0SignInInfo['result'],
    EmailLocalPartResolverOptions | undefined
  >;
};

const emailResolverOptions = z
  .object({
    allowedDomains: z.array(z.string().min(1)).optional(),
    allowUnverifiedEmail: z.boolean().optional(),
  })
  .strict() satisfies z.ZodType<EmailResolverOptions>;

const localPartResolverOptions = emailResolverOptions
  .extend({
    allowEmailMismatch: z.boolean().optional(),
  })
  .strict() satisfies z.ZodType<EmailLocalPartResolverOptions>;

/**
 * What {@link checkEmail} found: the email and its parts, letter case folded.
 *
 * @public
 */
export type CheckedEmail = {
  email: string;
  localPart: string;
  /** The address without a `+tag` in the local part. */
  untaggedEmail: string;
  untaggedLocalPart: string;
};

/** What a catalog entity name may be (the catalog's own rule, without length). */
const ENTITY_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/**
 * The checks every email-based resolver makes before looking anything up: an email
 * exists, Auth0 has verified it, and its domain is allowed. Letters A to Z match in either
 * case; every other character must match exactly. Throws `MissingEmailError`,
 * `EmailNotVerifiedError` or `EmailDomainNotAllowedError`.
 *
 * @public
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
  const email = foldAsciiCase(rawEmail.trim());
  if (claims.email_verified !== true && !options.allowUnverifiedEmail) {
    throw new EmailNotVerifiedError(email);
  }
  const at = email.lastIndexOf('@');
  const localPart = email.slice(0, at);
  const domain = email.slice(at + 1);
  const allowedDomains = options.allowedDomains?.map(foldAsciiCase);
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

function profileEmail(user: Entity): string | undefined {
  const email = (user.spec as { profile?: { email?: unknown } } | undefined)
    ?.profile?.email;
  return typeof email === 'string' ? email : undefined;
}

/** The token `signInWithCatalogUser` issues, for a user that is already at hand. */
async function issueTokenFor(user: Entity, ctx: AuthResolverContext) {
  const { ownershipEntityRefs } = await ctx.resolveOwnershipEntityRefs(user);
  return ctx.issueToken({
    claims: { sub: stringifyEntityRef(user), ent: ownershipEntityRefs },
  });
}

/**
 * The provider's built-in resolvers, under the names that Backstage's Auth0 guide
 * configures, with `allowedDomains` honoured by both and unverified emails refused. They
 * need catalog reads and a logger, so they come from this function, which any module of
 * the auth plugin can call with its own services.
 *
 * @public
 */
export function createAuth0SignInResolvers(
  options: Auth0SignInResolversOptions,
): Auth0SignInResolverFactories {
  const { catalog, auth, logger } = options;
  const findUsersByEmail = async (email: string) => {
    const { items } = await catalog.getEntities(
      { filter: { kind: 'User', 'spec.profile.email': email } },
      { credentials: await auth.getOwnServiceCredentials() },
    );
    return items;
  };

  const emailMatchingUserEntityProfileEmail = createSignInResolverFactory({
    optionsSchema: emailResolverOptions.optional(),
    create(resolverOptions) {
      return async (info: Auth0SignInInfo, ctx) => {
        const checked = checkEmail(info, resolverOptions);
        const candidates = [...new Set([checked.email, checked.untaggedEmail])];
        for (const candidate of candidates) {
          // The catalog matches emails with Unicode case folding; keep exact matches only.
          const users = (await findUsersByEmail(candidate)).filter(
            user => foldAsciiCase(profileEmail(user) ?? '') === candidate,
          );
          if (users.length > 1) {
            logger.warn(
              `Refused Auth0 sign-in for ${checked.email}: ${
                users.length
              } catalog users have the email ${candidate}: ${users
                .map(user => stringifyEntityRef(user))
                .join(', ')}. Keep the email on one User entity.`,
            );
            throw new AmbiguousCatalogUserError(checked.email);
          }
          if (users.length === 1) {
            return issueTokenFor(users[0], ctx);
          }
        }
        throw new NotFoundError(
          `No catalog user has spec.profile.email ${candidates.join(' or ')}`,
        );
      };
    },
  });

  const emailLocalPartMatchingUserEntityName = createSignInResolverFactory({
    optionsSchema: localPartResolverOptions.optional(),
    create(resolverOptions) {
      return async (info: Auth0SignInInfo, ctx) => {
        const checked = checkEmail(info, resolverOptions);
        const name = checked.untaggedLocalPart;
        if (!ENTITY_NAME.test(name)) {
          throw new NotFoundError(`${name} cannot be a catalog user name`);
        }
        const { entity } = await ctx.findCatalogUser({ entityRef: { name } });
        const catalogEmail = profileEmail(entity);
        if (
          catalogEmail !== undefined &&
          !resolverOptions?.allowEmailMismatch &&
          ![checked.email, checked.untaggedEmail].includes(
            foldAsciiCase(catalogEmail),
          )
        ) {
          logger.warn(
            `Refused Auth0 sign-in for ${checked.email} as ${stringifyEntityRef(
              entity,
            )}, whose spec.profile.email is ${catalogEmail}; set allowEmailMismatch: true on ` +
              `emailLocalPartMatchingUserEntityName to allow it`,
          );
          throw new CatalogUserEmailMismatchError(checked.email, catalogEmail);
        }
        return issueTokenFor(entity, ctx);
      };
    },
  });

  return {
    emailMatchingUserEntityProfileEmail,
    emailLocalPartMatchingUserEntityName,
  };
}
