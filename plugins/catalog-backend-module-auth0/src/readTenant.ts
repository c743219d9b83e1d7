import { LoggerService } from '@backstage/backend-plugin-api';
import { Auth0OrgProviderConfig } from './config';
import {
  Auth0ReadError,
  explainFailure,
  FailureContext,
} from './failureMessages';
import { ManagementApi } from './managementApi';
import {
  Auth0Group,
  Auth0Organization,
  Auth0Role,
  Auth0User,
} from './transformers';
import { ExportedUser, exportUsers, USER_TEXT_FIELDS } from './userExport';

/** Page size of roles, role users, organizations and their members (Auth0's maximum). */
const PAGE_SIZE = 100;

/** Everything a run read from the tenant, before names and transformers. */
export type TenantSnapshot = {
  users: Auth0User[];
  groups: Array<{ group: Auth0Group; memberIds: string[] }>;
  /** Users left out, by reason. */
  skipped: {
    noEmail: number;
    blocked: number;
    unverified: number;
    otherConnection: number;
  };
};

export type ReadTenantOptions = {
  api: ManagementApi;
  settings: Auth0OrgProviderConfig;
  failureContext: FailureContext;
  logger: LoggerService;
  signal?: AbortSignal;
};

/**
 * Reads the users (from a user export job), and the roles and organizations with their members
 * (page by page with checkpoints) as configured. Throws an `Auth0ReadError` that says what to
 * fix on any failure: a snapshot is always complete.
 */
export async function readTenant(
  options: ReadTenantOptions,
): Promise<TenantSnapshot> {
  const { api, settings, logger, signal } = options;
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      if (signal?.aborted) {
        throw error;
      }
      throw new Auth0ReadError(
        explainFailure(error, name, options.failureContext),
        error,
      );
    }
  };
  const requestOptions = { abortSignal: signal };

  const { users, skipped } = await step('exporting users', async () => {
    const kept: Auth0User[] = [];
    const counts = {
      noEmail: 0,
      blocked: 0,
      unverified: 0,
      otherConnection: 0,
    };
    for await (const record of exportUsers({ api, logger, signal })) {
      const user = toAuth0User(record);
      const reason = user ? reasonToSkip(user, settings) : 'noEmail';
      if (reason) {
        counts[reason]++;
      } else {
        kept.push(user!);
      }
    }
    return { users: kept, skipped: counts };
  });

  const groups: TenantSnapshot['groups'] = [];
  if (settings.groups.fromRoles) {
    const roles = await step('listing roles', async () => {
      const list: Auth0Role[] = [];
      const page = await api.client.roles.list(
        { per_page: PAGE_SIZE },
        requestOptions,
      );
      for await (const role of page) {
        list.push({
          id: role.id!,
          name: role.name ?? role.id!,
          ...(role.description ? { description: role.description } : {}),
        });
      }
      return list;
    });
    for (const role of roles) {
      const memberIds = await step(
        `listing the users of role ${role.name} (${role.id})`,
        async () => {
          const ids: string[] = [];
          const page = await api.client.roles.users.list(
            role.id,
            { take: PAGE_SIZE },
            requestOptions,
          );
          for await (const member of page) {
            if (member.user_id) ids.push(member.user_id);
          }
          return ids;
        },
      );
      groups.push({ group: { type: 'role', role }, memberIds });
    }
    logger.info(`Read ${roles.length} Auth0 roles and their users`);
  }

  if (settings.groups.fromOrganizations) {
    const organizations = await step('listing organizations', async () => {
      const list: Auth0Organization[] = [];
      const page = await api.client.organizations.list(
        { take: PAGE_SIZE },
        requestOptions,
      );
      for await (const organization of page) {
        list.push(toAuth0Organization(organization));
      }
      return list;
    });
    for (const organization of organizations) {
      const memberIds = await step(
        `listing the members of organization ${organization.name} (${organization.id})`,
        async () => {
          const ids: string[] = [];
          const page = await api.client.organizations.members.list(
            organization.id,
            { take: PAGE_SIZE },
            requestOptions,
          );
          for await (const member of page) {
            if (member.user_id) ids.push(member.user_id);
          }
          return ids;
        },
      );
      groups.push({
        group: { type: 'organization', organization },
        memberIds,
      });
    }
    logger.info(
      `Read ${organizations.length} Auth0 organizations and their members`,
    );
  }

  return { users, groups, skipped };
}

function reasonToSkip(
  user: Auth0User,
  settings: Auth0OrgProviderConfig,
): keyof TenantSnapshot['skipped'] | undefined {
  if (user.blocked) {
    return 'blocked';
  }
  if (!user.email_verified && !settings.users.includeUnverified) {
    return 'unverified';
  }
  const { connections } = settings.users;
  if (connections && !connections.includes(user.connection ?? '')) {
    return 'otherConnection';
  }
  return undefined;
}

/** The export line as an `Auth0User`, or undefined when it has no user id or no email. */
export function toAuth0User(record: ExportedUser): Auth0User | undefined {
  const text = (key: string) =>
    typeof record[key] === 'string' && record[key] !== ''
      ? (record[key] as string)
      : undefined;
  const userId = text('user_id');
  const email = text('email');
  if (!userId || !email) {
    return undefined;
  }
  const identities = Array.isArray(record.identities)
    ? (record.identities as Array<{ connection?: unknown }>)
    : [];
  const connection = identities[0]?.connection;
  const appMetadata = record.app_metadata;
  const user: Auth0User = {
    user_id: userId,
    email,
    email_verified: record.email_verified === true,
    blocked: record.blocked === true,
  };
  for (const key of USER_TEXT_FIELDS) {
    const value = text(key);
    if (value !== undefined) user[key] = value;
  }
  if (typeof connection === 'string') {
    user.connection = connection;
  }
  if (typeof appMetadata === 'object' && appMetadata !== null) {
    user.app_metadata = appMetadata as Record<string, unknown>;
  }
  return user;
}

function toAuth0Organization(organization: {
  id?: string;
  name?: string;
  display_name?: string;
  branding?: { logo_url?: string };
  metadata?: Record<string, unknown>;
}): Auth0Organization {
  const result: Auth0Organization = {
    id: organization.id!,
    name: organization.name ?? organization.id!,
  };
  if (organization.display_name) {
    result.display_name = organization.display_name;
  }
  if (organization.branding?.logo_url) {
    result.branding = { logo_url: organization.branding.logo_url };
  }
  if (organization.metadata) {
    result.metadata = organization.metadata as Record<string, string>;
  }
  return result;
}
