import {
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { buildEntities } from './buildEntities';
import { Auth0OrgProviderConfig, readAuth0OrgProviderConfigs } from './config';
import {
  Auth0ReadError,
  explainFailure,
  explainMissingScopes,
  FailureContext,
  grantedScopes,
  requiredScopes,
} from './failureMessages';
import { createManagementApi, ManagementApi } from './managementApi';
import { Auth0IngestionMetrics } from './metrics';
import { readTenant, TenantSnapshot } from './readTenant';
import {
  Auth0GroupTransformer,
  Auth0UserTransformer,
  defaultAuth0GroupTransformer,
  defaultAuth0UserTransformer,
} from './transformers';

/**
 * Options of {@link Auth0OrgEntityProvider.fromConfig}.
 *
 * @public
 */
export type Auth0OrgEntityProviderOptions = {
  logger: LoggerService;
  /**
   * Runs each provider on the `schedule` of its config. Without it nothing runs by itself: call
   * `read()`.
   */
  scheduler?: SchedulerService;
  /** One transformer for every provider, or one per provider id. */
  userTransformer?: Auth0UserTransformer | Record<string, Auth0UserTransformer>;
  /** One transformer for every provider, or one per provider id. */
  groupTransformer?:
    | Auth0GroupTransformer
    | Record<string, Auth0GroupTransformer>;
  /**
   * The fetch of every request to Auth0 and of the export download: to go through a proxy or
   * trust a private CA. Node's own fetch unless given.
   */
  fetch?: typeof fetch;
};

/**
 * Reads the users, roles and organizations of an Auth0 tenant and gives them to the catalog as
 * User and Group entities, replacing the previous set only after a complete read.
 *
 * @public
 */
export class Auth0OrgEntityProvider implements EntityProvider {
  private connection?: EntityProviderConnection;
  private readonly api: ManagementApi;
  private readonly failureContext: FailureContext;
  private readonly logger: LoggerService;
  private readonly metrics: Auth0IngestionMetrics;

  /**
   * One provider per block under `catalog.providers.auth0`. Throws an `Auth0OrgConfigError`
   * with every problem of every block.
   */
  static fromConfig(
    config: Config,
    options: Auth0OrgEntityProviderOptions,
  ): Auth0OrgEntityProvider[] {
    return readAuth0OrgProviderConfigs(config).map(
      settings =>
        new Auth0OrgEntityProvider({
          settings,
          logger: options.logger,
          taskRunner: options.scheduler?.createScheduledTaskRunner(
            settings.schedule,
          ),
          userTransformer: pick(options.userTransformer, settings.id),
          groupTransformer: pick(options.groupTransformer, settings.id),
          fetch: options.fetch,
        }),
    );
  }

  private constructor(
    private readonly options: {
      settings: Auth0OrgProviderConfig;
      logger: LoggerService;
      taskRunner?: SchedulerServiceTaskRunner;
      userTransformer?: Auth0UserTransformer;
      groupTransformer?: Auth0GroupTransformer;
      fetch?: typeof fetch;
    },
  ) {
    const { settings } = options;
    this.metrics = new Auth0IngestionMetrics(settings.id);
    this.api = createManagementApi({
      domain: settings.domain,
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      fetch: this.metrics.observedFetch(options.fetch ?? globalThis.fetch),
    });
    this.failureContext = {
      keyPrefix: `catalog.providers.auth0.${settings.id}`,
      domain: settings.domain,
      clientId: settings.clientId,
      requiredScopes: requiredScopes(settings.groups),
    };
    this.logger = options.logger.child({ target: this.getProviderName() });
  }

  /** {@inheritdoc @backstage/plugin-catalog-node#EntityProvider.getProviderName} */
  getProviderName(): string {
    return `Auth0OrgEntityProvider:${this.options.settings.id}`;
  }

  /** {@inheritdoc @backstage/plugin-catalog-node#EntityProvider.connect} */
  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    // Wrong credentials, domain or grants show in the startup log, not only after the first run.
    void this.checkAccess();
    await this.options.taskRunner?.run({
      id: `${this.getProviderName()}:refresh`,
      fn: async abortSignal => {
        try {
          await this.read({ signal: abortSignal });
        } catch (error) {
          this.logger.error(
            error instanceof Auth0ReadError
              ? error.message
              : `${this.getProviderName()} failed, and the catalog keeps the entities of the last complete run: ${error}`,
          );
        }
      },
    });
  }

  /**
   * Runs one complete read and, once it is complete, replaces the provider's entities in the
   * catalog. On any failure it throws (an `Error` whose message says what to fix) and changes
   * nothing.
   */
  async read(options?: {
    logger?: LoggerService;
    signal?: AbortSignal;
  }): Promise<void> {
    if (!this.connection) {
      throw new Error(`${this.getProviderName()} is not connected yet`);
    }
    const connection = this.connection;
    const logger = options?.logger ?? this.logger;
    const { settings } = this.options;
    await this.metrics.recordRun(async () => {
      const startedAt = Date.now();
      logger.info(`Reading Auth0 tenant ${settings.domain}`);

      const snapshot = await readTenant({
        api: this.api,
        settings,
        failureContext: this.failureContext,
        logger,
        signal: options?.signal,
      });
      const entities = await buildEntities(snapshot, {
        providerId: settings.id,
        userTransformer:
          this.options.userTransformer ?? defaultAuth0UserTransformer,
        groupTransformer:
          this.options.groupTransformer ?? defaultAuth0GroupTransformer,
        logger,
      });
      logger.info(
        `Read ${describeSnapshot(snapshot)} in ${seconds(
          startedAt,
        )}; committing ${entities.length} entities`,
      );

      const committingAt = Date.now();
      await connection.applyMutation({
        type: 'full',
        entities: entities.map(entity => ({
          entity,
          locationKey: `auth0-org-provider:${settings.id}`,
        })),
      });
      logger.info(
        `Committed ${entities.length} entities in ${seconds(committingAt)}`,
      );
      return entities;
    });
  }

  private async checkAccess(): Promise<void> {
    let token: string;
    try {
      token = await this.api.getToken();
    } catch (error) {
      this.logger.error(
        explainFailure(
          error,
          'getting a Management API token at startup',
          this.failureContext,
        ),
      );
      return;
    }
    const granted = grantedScopes(token);
    if (!granted) {
      return;
    }
    const missing = this.failureContext.requiredScopes.filter(
      scope => !granted.includes(scope),
    );
    if (missing.length > 0) {
      this.logger.error(explainMissingScopes(missing, this.failureContext));
    }
  }
}

function pick<T>(
  transformer: T | Record<string, T> | undefined,
  providerId: string,
): T | undefined {
  if (typeof transformer === 'function') {
    return transformer;
  }
  return (transformer as Record<string, T> | undefined)?.[providerId];
}

function describeSnapshot(snapshot: TenantSnapshot): string {
  const { skipped } = snapshot;
  const roles = snapshot.groups.filter(({ group }) => group.type === 'role');
  const left = [
    skipped.unverified && `${skipped.unverified} unverified`,
    skipped.blocked && `${skipped.blocked} blocked`,
    skipped.otherConnection &&
      `${skipped.otherConnection} in other connections`,
    skipped.noEmail && `${skipped.noEmail} without email`,
  ].filter(Boolean);
  return `${snapshot.users.length} users${
    left.length ? ` (left out: ${left.join(', ')})` : ''
  }, ${roles.length} roles and ${
    snapshot.groups.length - roles.length
  } organizations`;
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}
