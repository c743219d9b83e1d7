import {
  errors,
  interactionPolicy,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import type {
  FixtureOrganization,
  FixtureUser,
  FixtureUsers,
} from './fixtureUsers.ts';

/*
 * Auth0 Organizations, as /authorize sees them: `organization=<id or name>` asks to sign in
 * to that organization. A member gets `org_id` and `org_name` in the ID token (and in the ID
 * tokens of every refresh of that sign-in); anyone else goes back to the application with
 * access_denied. Without the parameter, no organization claims.
 */

/** The ID token claims of a sign-in to an organization. */
export type OrganizationClaims = { org_id: string; org_name: string };

function organizationClaims(
  organization: FixtureOrganization,
): OrganizationClaims {
  return { org_id: organization.id, org_name: organization.name };
}

/**
 * The organization claims of the ID tokens that a grant's code and refresh tokens yield
 * (see OrganizationGrants below): none for a sign-in without an organization.
 */
export function organizationClaimsOfGrant(
  grantId: string | undefined,
  users: FixtureUsers,
  organizationGrants: OrganizationGrants,
): OrganizationClaims | undefined {
  const organizationId = organizationGrants.organizationOf(grantId);
  const organization =
    organizationId === undefined
      ? undefined
      : users.organization(organizationId);
  return organization && organizationClaims(organization);
}

/** Auth0's error_description when a non-member asks to sign in to an organization. */
export function notAMemberDescription(
  user: Pick<FixtureUser, 'sub'>,
  organization: FixtureOrganization,
): string {
  return `user ${user.sub} is not part of the ${organization.id} organization`;
}

/** The organization the authorization request names, if any (already validated). */
export function requestedOrganization(
  ctx: KoaContextWithOIDC,
  users: FixtureUsers,
): FixtureOrganization | undefined {
  const value = (ctx.oidc.params as { organization?: unknown } | undefined)
    ?.organization;
  return typeof value === 'string' && value !== ''
    ? users.organization(value)
    : undefined;
}

/**
 * The `organization` parameter's validator (an `extraParams` entry): an organization that
 * does not exist is refused before anyone signs in, with a redirect back.
 */
export function validateOrganizationParam(users: FixtureUsers) {
  return (_ctx: KoaContextWithOIDC, value: string | undefined) => {
    if (value === undefined || value === '') return;
    if (!users.organization(value)) {
      throw new errors.InvalidRequest(
        `parameter organization is invalid: no organization has the id or name "${value}"`,
      );
    }
  };
}

/**
 * A last step of the interaction policy: oidc-provider evaluates it only once login and
 * consent need nothing more, so the account is the one the code will be issued to. A
 * non-member is sent back to the application with access_denied (the check throws
 * instead of asking for an interaction).
 */
export function organizationMembershipPrompt(
  users: FixtureUsers,
): interactionPolicy.Prompt {
  return new interactionPolicy.Prompt(
    { name: 'organization', requestable: false },
    new interactionPolicy.Check(
      'organization_membership',
      'the user is not a member of the requested organization',
      ctx => {
        const organization = requestedOrganization(ctx, users);
        const accountId = ctx.oidc.session?.accountId;
        if (!organization || !accountId) {
          return interactionPolicy.Check.NO_NEED_TO_PROMPT;
        }
        const user = users.bySub(accountId);
        if (!user || !users.isMember(user, organization)) {
          throw new errors.AccessDenied(
            notAMemberDescription({ sub: accountId }, organization),
          );
        }
        return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      },
    ),
  );
}

/**
 * Which organization each grant was made for. Codes and refresh tokens (rotated ones too)
 * carry their grant's id, so the ID tokens they yield find their organization here. A
 * browser session keeps one grant per organization (and one without), so that a sign-in
 * without the parameter never inherits another sign-in's organization.
 */
export type OrganizationGrants = {
  organizationOf(grantId: string | undefined): string | undefined;
  remember(grantId: string, organizationId: string | undefined): void;
};

export function createOrganizationGrants(): OrganizationGrants {
  const byGrant = new Map<string, string>();
  return {
    organizationOf: grantId =>
      grantId === undefined ? undefined : byGrant.get(grantId),
    remember(grantId, organizationId) {
      if (organizationId === undefined) byGrant.delete(grantId);
      else byGrant.set(grantId, organizationId);
    },
  };
}
