import { GroupEntity, UserEntity } from '@backstage/catalog-model';
import {
  AUTH0_ORGANIZATION_ID_ANNOTATION,
  AUTH0_ROLE_ID_ANNOTATION,
  AUTH0_USER_ID_ANNOTATION,
} from '@backstage-auth0/plugin-auth0-common';

/**
 * An Auth0 user as the user export job gives it, with Auth0's field names. Only users with an
 * email come this far.
 *
 * @public
 */
export type Auth0User = {
  user_id: string;
  email: string;
  email_verified: boolean;
  name?: string;
  nickname?: string;
  given_name?: string;
  family_name?: string;
  picture?: string;
  created_at?: string;
  blocked?: boolean;
  /** The connection of the user's primary identity, e.g. `Username-Password-Authentication`. */
  connection?: string;
  app_metadata?: Record<string, unknown>;
};

/**
 * An Auth0 role, as `GET /api/v2/roles` gives it.
 *
 * @public
 */
export type Auth0Role = {
  id: string;
  name: string;
  description?: string;
};

/**
 * An Auth0 organization, as `GET /api/v2/organizations` gives it.
 *
 * @public
 */
export type Auth0Organization = {
  id: string;
  name: string;
  display_name?: string;
  branding?: { logo_url?: string };
  metadata?: Record<string, string>;
};

/**
 * What a Group comes from: a role or an organization.
 *
 * @public
 */
export type Auth0Group =
  | { type: 'role'; role: Auth0Role }
  | { type: 'organization'; organization: Auth0Organization };

/**
 * What a transformer knows besides the Auth0 object.
 *
 * @public
 */
export type Auth0TransformerContext = {
  /** The provider id, the key under `catalog.providers.auth0`. */
  providerId: string;
  /** The name the provider gives the entity: normalized, and told apart from others that wanted it. */
  entityName: string;
};

/**
 * Makes the User entity for an Auth0 user, or returns undefined to leave the user out. The
 * provider adds `spec.memberOf` from the groups it made (keeping any given here) and the
 * location annotations.
 *
 * @public
 */
export type Auth0UserTransformer = (
  user: Auth0User,
  context: Auth0TransformerContext,
) => Promise<UserEntity | undefined>;

/**
 * Makes the Group entity for an Auth0 role or organization, or returns undefined to leave it
 * out. The provider adds `spec.members` from the users it made (keeping any given here) and
 * the location annotations; users' `spec.memberOf` follow the name returned here.
 *
 * @public
 */
export type Auth0GroupTransformer = (
  group: Auth0Group,
  context: Auth0TransformerContext,
) => Promise<GroupEntity | undefined>;

/**
 * The User entity that the provider makes unless a transformer is set: named `entityName`, with
 * the `auth0.com/user-id` annotation and the email, display name and picture.
 *
 * @public
 */
export async function defaultAuth0UserTransformer(
  user: Auth0User,
  context: Auth0TransformerContext,
): Promise<UserEntity | undefined> {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: {
      name: context.entityName,
      annotations: { [AUTH0_USER_ID_ANNOTATION]: user.user_id },
    },
    spec: {
      profile: {
        email: user.email,
        displayName: user.name || user.email,
        ...(user.picture ? { picture: user.picture } : {}),
      },
      memberOf: [],
    },
  };
}

/**
 * The Group entity that the provider makes unless a transformer is set: named `entityName`,
 * `spec.type` `role` or `organization`, the id annotation, and the role's name (with its
 * description) or the organization's display name (with its logo) as profile.
 *
 * @public
 */
export async function defaultAuth0GroupTransformer(
  group: Auth0Group,
  context: Auth0TransformerContext,
): Promise<GroupEntity | undefined> {
  if (group.type === 'role') {
    const { role } = group;
    return {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: {
        name: context.entityName,
        ...(role.description ? { description: role.description } : {}),
        annotations: { [AUTH0_ROLE_ID_ANNOTATION]: role.id },
      },
      spec: {
        type: 'role',
        profile: { displayName: role.name },
        children: [],
      },
    };
  }
  const { organization } = group;
  const picture = organization.branding?.logo_url;
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: {
      name: context.entityName,
      annotations: { [AUTH0_ORGANIZATION_ID_ANNOTATION]: organization.id },
    },
    spec: {
      type: 'organization',
      profile: {
        displayName: organization.display_name || organization.name,
        ...(picture ? { picture } : {}),
      },
      children: [],
    },
  };
}
