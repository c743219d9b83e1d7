import type {
  LoggerService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  catalogEntityCreatePermission,
  catalogEntityDeletePermission,
  catalogEntityRefreshPermission,
  catalogEntityValidatePermission,
  catalogLocationAnalyzePermission,
  catalogLocationCreatePermission,
  catalogLocationDeletePermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizeResult,
  isPermission,
  isReadPermission,
  type Permission,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import type {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  createScaffolderTaskConditionalDecision,
  scaffolderTaskConditions,
} from '@backstage/plugin-scaffolder-backend/alpha';
import {
  actionExecutePermission,
  taskCancelPermission,
  taskCreatePermission,
} from '@backstage/plugin-scaffolder-common/alpha';
import { ADMINS_CONFIG_KEY } from './config';

/**
 * What every signed-in person may do besides reading (any permission whose action is `read`:
 * the catalog, its locations, templates and scaffolder tasks; search shows what these allow).
 */
const EVERYONE = [
  // The "Refresh" button on an entity: processes it again, changes nothing by itself.
  catalogEntityRefreshPermission,
  catalogEntityValidatePermission,
  // Running a template.
  taskCreatePermission,
  actionExecutePermission,
];

/** Why someone who is not an admin may not: one sentence for the log, per permission. */
const ADMINS_ONLY: Array<[Permission, string]> = [
  [
    catalogLocationDeletePermission,
    'only admins may unregister a catalog location (a location has no owner, and unregistering it removes every entity it brought)',
  ],
  [
    catalogLocationCreatePermission,
    'only admins may register or change a catalog location (the catalog checks this one permission for both)',
  ],
  [catalogEntityCreatePermission, 'only admins may register entities'],
  [
    catalogLocationAnalyzePermission,
    'only admins may analyze a location for registering it',
  ],
];

/**
 * The permission policy of this backend (docs/roles.md):
 *
 * - admins (`backstageAuth0.permissions.admins`: Users, or Groups a person owns through) may
 *   do everything;
 * - every other signed-in person may read (the catalog, search, templates), refresh and
 *   validate entities, and run templates;
 * - deleting (unregistering) a catalog entity only its owners, through the catalog's
 *   `isEntityOwner` rule; cancelling a scaffolder task only the person who started it;
 * - everything else, e.g. registering, changing or deleting a location, only admins.
 *
 * Who someone is comes from their Backstage token: its user and ownership refs (the Groups
 * of their catalog membership and of the roles claim, as of their last sign-in or refresh).
 *
 * Denials are logged at info level with the permission, the user and the reason; so are the
 * conditional decisions, since they refuse everything that the person does not own.
 */
export class Auth0PermissionPolicy implements PermissionPolicy {
  readonly #admins: ReadonlySet<string>;
  readonly #logger: LoggerService;
  readonly #userInfo: UserInfoService;

  constructor(options: {
    /** Normalized entity refs (`readPermissionPolicyConfig`). */
    admins: string[];
    logger: LoggerService;
    userInfo: UserInfoService;
  }) {
    this.#admins = new Set(options.admins);
    this.#logger = options.logger;
    this.#userInfo = options.userInfo;
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    if (!user) {
      return this.#deny(
        permission,
        'an unauthenticated request',
        'every permission needs a signed-in user',
      );
    }

    const { userEntityRef, ownershipEntityRefs } =
      await this.#userInfo.getUserInfo(user.credentials);
    const owned = [...new Set([userEntityRef, ...ownershipEntityRefs])];
    const adminThrough = owned.find(ref =>
      this.#admins.has(ref.toLocaleLowerCase('en-US')),
    );
    if (adminThrough) {
      this.#logger.debug(
        `Allowed ${permission.name} to ${userEntityRef}: an admin through ${adminThrough}`,
        { permission: permission.name, user: userEntityRef },
      );
      return { result: AuthorizeResult.ALLOW };
    }

    const notAdmin = `${userEntityRef} is not an admin (${ADMINS_CONFIG_KEY})`;
    if (isPermission(permission, catalogEntityDeletePermission)) {
      return this.#conditional(
        permission,
        userEntityRef,
        `only on entities owned by ${owned.join(
          ', ',
        )}, as ${notAdmin}; the catalog refuses the others with 403`,
        createCatalogConditionalDecision(
          permission,
          catalogConditions.isEntityOwner({ claims: owned }),
        ),
      );
    }
    if (isPermission(permission, taskCancelPermission)) {
      return this.#conditional(
        permission,
        userEntityRef,
        `only on the tasks that ${userEntityRef} started, as ${notAdmin}`,
        createScaffolderTaskConditionalDecision(
          permission,
          scaffolderTaskConditions.isTaskOwner({ createdBy: [userEntityRef] }),
        ),
      );
    }
    if (
      isReadPermission(permission) ||
      EVERYONE.some(allowed => isPermission(permission, allowed))
    ) {
      return { result: AuthorizeResult.ALLOW };
    }

    const reason =
      ADMINS_ONLY.find(([adminsOnly]) =>
        isPermission(permission, adminsOnly),
      )?.[1] ??
      'only admins have the permissions that this policy does not give everyone';
    return this.#deny(
      permission,
      userEntityRef,
      `${reason}; ${notAdmin}, owning through ${owned.join(', ')}`,
    );
  }

  /** A decision that refuses whatever the condition does not match: logged like a denial. */
  #conditional(
    permission: Permission,
    user: string,
    explanation: string,
    decision: PolicyDecision,
  ): PolicyDecision {
    this.#logger.info(`${permission.name} for ${user}: ${explanation}`, {
      permission: permission.name,
      user,
      decision: AuthorizeResult.CONDITIONAL,
    });
    return decision;
  }

  #deny(permission: Permission, user: string, reason: string): PolicyDecision {
    this.#logger.info(`Denied ${permission.name} to ${user}: ${reason}`, {
      permission: permission.name,
      user,
      decision: AuthorizeResult.DENY,
    });
    return { result: AuthorizeResult.DENY };
  }
}
