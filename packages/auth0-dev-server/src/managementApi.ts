import { setTimeout as sleep } from 'node:timers/promises';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Counters, ManagementEndpoint } from './counters.ts';
import {
  databaseConnection,
  memberSummary,
  userProfile,
  type Directory,
  type Person,
} from './directory.ts';
import {
  defaultExportFields,
  maxCsvFields,
  type ExportField,
  type ExportJobs,
} from './exportJobs.ts';
import type { FixtureOrganization, FixtureRole } from './fixtureUsers.ts';
import type { Knobs, ManagementFailure } from './knobs.ts';
import {
  apiError,
  checkpointPage,
  checkpointPagingCapError,
  isApiError,
  offsetPage,
  params,
  selectFields,
  usersPagingCapError,
  validateQuery,
  wantsCheckpoint,
  type ApiError,
  type ParamSpecs,
  type QueryValues,
} from './managementHttp.ts';
import type { ManagementTokenSigner } from './managementTokens.ts';
import { AdminRequestError } from './rolesClaim.ts';
import { parseUserQuery, UserQueryError } from './userQuery.ts';
import type { UserinfoRateLimiter } from './userinfoRateLimit.ts';

/**
 * Auth0's Management API v2 under `/api/v2/` on the dev server's origin: the reads a catalog
 * needs (users, roles, organizations and their members) and users-export jobs, with Auth0's
 * authentication, scopes, paging rules, limits, error bodies and rate-limit headers. The
 * export files are served under `/export-downloads/` as signed links.
 */
export type ManagementApiOptions = {
  issuer: string;
  directory: Directory;
  signer: ManagementTokenSigner;
  exportJobs: ExportJobs;
  knobs: () => Knobs;
  /** The forced failure this request gets, if any (counting the knob down). */
  takeFailure: (endpoint: ManagementEndpoint) => ManagementFailure | undefined;
  rateLimiter: UserinfoRateLimiter;
  counters: Counters;
  /** The tenant's applications (application.ts), as `GET /api/v2/clients/{id}` shows them. */
  clients: ManagementClients;
  log: (message: string) => void;
};

export type ManagementClients = {
  /** The application with this client id, with its secret when asked; undefined if none. */
  get(
    clientId: string,
    options: { withSecret: boolean },
  ): Record<string, unknown> | undefined;
  /**
   * Changes the sign-in application as `PATCH /api/v2/clients/{id}` asks; throws an
   * AdminRequestError (400) naming every problem, or (501) for another application.
   */
  update(clientId: string, patch: unknown): Promise<void>;
};

/** Auth0's Management API limit for free and trial tenants: bursts of 10, 2 a second. */
export const managementRateLimitPolicy = { burst: 10, perMinute: 120 };

type Auth = { clientId: string; scopes: Set<string> };

type Route = {
  endpoint: ManagementEndpoint;
  method: 'GET' | 'POST' | 'PATCH';
  pattern: RegExp;
  /** Any one of them will do, as Auth0's `Insufficient scope, expected any of` says. */
  scopes: string[];
  query: ParamSpecs;
  handle(input: {
    ctx: KoaContextWithOIDC;
    match: string[];
    query: QueryValues;
    auth: Auth;
  }):
    | Promise<{ status?: number; body: unknown }>
    | { status?: number; body: unknown };
};

const maxPayloadBytes = 1024 * 1024;

export function managementApi(options: ManagementApiOptions) {
  const origin = new URL(options.issuer).origin;
  const routes = createRoutes(options, origin);

  return async function managementApiMiddleware(
    ctx: KoaContextWithOIDC,
    next: () => Promise<void>,
  ) {
    if (ctx.path.startsWith('/export-downloads/')) {
      await exportDownload(ctx);
      return;
    }
    if (ctx.path !== '/api/v2' && !ctx.path.startsWith('/api/v2/')) {
      await next();
      return;
    }
    const path = ctx.path.slice('/api/v2'.length) || '/';
    let route: Route | undefined;
    let match: string[] | undefined;
    for (const candidate of routes) {
      const found = candidate.pattern.exec(path);
      if (found && candidate.method === ctx.method) {
        route = candidate;
        match = found.slice(1).map(part => decodeURIComponent(part));
        break;
      }
    }
    const endpoint = route?.endpoint ?? 'unknown';
    try {
      const latency = options.knobs().latencyMs.management;
      if (latency > 0) await sleep(latency);
      ctx.set('cache-control', 'no-cache');
      if (!route || !match) {
        throw apiError(
          501,
          `auth0-dev-server does not implement ${
            ctx.method
          } /api/v2${path}. It implements: ${routes
            .map(
              known =>
                `${known.method} /api/v2${describePattern(known.pattern)}`,
            )
            .join(', ')}.`,
        );
      }
      limit(ctx, endpoint);
      const auth = authenticate(ctx);
      if (!route.scopes.some(scope => auth.scopes.has(scope))) {
        throw insufficientScope(route.scopes);
      }
      const query = validateQuery(
        new URLSearchParams(ctx.querystring),
        route.query,
      );
      if (isApiError(query)) throw query;
      const result = await route.handle({ ctx, match, query, auth });
      ctx.status = result.status ?? 200;
      ctx.body = result.body;
    } catch (error) {
      if (!isApiError(error)) {
        options.log(
          `Management API error on ${ctx.method} ${ctx.path}: ${
            (error as Error).stack ?? error
          }`,
        );
      }
      const failure = isApiError(error)
        ? error
        : apiError(500, 'An internal server error occurred');
      ctx.status = failure.status;
      ctx.body = failure.body;
    } finally {
      ctx.type = 'application/json';
      options.counters.recordManagement(endpoint, ctx.status);
    }
  };

  /** Rate-limit headers on every answer; the forced failures and the enforced limit. */
  function limit(ctx: KoaContextWithOIDC, endpoint: ManagementEndpoint) {
    const knobs = options.knobs();
    const now = Date.now();
    const decision = options.rateLimiter.take('tenant', now);
    ctx.set('x-ratelimit-limit', String(decision.limit));
    ctx.set('x-ratelimit-remaining', String(decision.remaining));
    ctx.set('x-ratelimit-reset', String(decision.resetAt));
    const failure = options.takeFailure(endpoint);
    if (failure) {
      if (failure.retryAfterSeconds !== null) {
        ctx.set('retry-after', String(failure.retryAfterSeconds));
      }
      if (failure.status === 429) {
        ctx.set('x-ratelimit-remaining', '0');
        ctx.set(
          'x-ratelimit-reset',
          String(Math.floor(now / 1000) + failure.resetSeconds),
        );
        throw tooManyRequests();
      }
      throw apiError(
        failure.status,
        `auth0-dev-server: forced ${failure.status} (managementFailure)`,
      );
    }
    if (knobs.managementRateLimit && !decision.allowed) {
      ctx.set(
        'x-ratelimit-reset',
        String(Math.ceil(now / 1000) + decision.retryAfterSeconds),
      );
      throw tooManyRequests();
    }
  }

  function authenticate(ctx: KoaContextWithOIDC): Auth {
    const header = ctx.get('authorization');
    if (!header) throw apiError(401, 'Missing authentication');
    const bearer = /^Bearer\s+(\S+)$/i.exec(header);
    if (!bearer) {
      throw apiError(400, 'Bad HTTP authentication header format');
    }
    const verified = options.signer.verify(bearer[1]);
    if (!verified.valid) {
      const message =
        verified.reason === 'expired'
          ? 'Expired token received for JSON Web Token validation'
          : 'Invalid token';
      throw apiError(401, message, undefined, { error: message });
    }
    return { clientId: verified.claims.azp, scopes: verified.scopes };
  }

  async function exportDownload(ctx: KoaContextWithOIDC) {
    const result = await options.exportJobs.download(
      ctx.path,
      new URLSearchParams(ctx.querystring),
    );
    if (!result.ok) {
      ctx.status = 403;
      ctx.type = 'application/xml';
      ctx.body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>${result.reason}</Message></Error>\n`;
    } else {
      ctx.status = 200;
      // A gzip file to save, not a gzip-encoded answer: clients get the bytes as they are.
      ctx.type = 'application/gzip';
      ctx.set(
        'content-disposition',
        `attachment; filename="${result.fileName}"`,
      );
      ctx.body = result.body;
    }
    options.counters.recordManagement('exportDownload', ctx.status);
  }
}

export function tooManyRequests(): ApiError {
  return apiError(429, 'Global limit has been reached', 'too_many_requests');
}

export function insufficientScope(scopes: string[]): ApiError {
  return apiError(
    403,
    `Insufficient scope, expected any of: ${scopes.join(',')}`,
    'insufficient_scope',
  );
}

function describePattern(pattern: RegExp): string {
  return pattern.source
    .replace(/^\^/, '')
    .replace(/\$$/, '')
    .replace(/\\\//g, '/')
    .replace(/\(\[\^\/\]\+\)/g, '{id}');
}

function createRoutes(options: ManagementApiOptions, origin: string): Route[] {
  const { directory } = options;
  const profile = (person: Person, query: QueryValues) =>
    selectFields(userProfile(person, origin), query);
  const person = (sub: string) => {
    const found = directory.person(sub);
    if (!found)
      throw apiError(404, 'The user does not exist.', 'inexistent_user');
    return found;
  };
  const role = (id: string) => {
    const found = directory.role(id);
    if (!found)
      throw apiError(404, 'The role does not exist.', 'inexistent_role');
    return found;
  };
  const organization = (id: string) => {
    const found = directory.organization(id);
    if (!found) {
      throw apiError(404, 'No organization found by that id or name');
    }
    return found;
  };
  const usersPerPage = {
    ...params.perPage(0),
    description: 'Number of results per page.',
  };
  // validateQuery names the first bad parameter in the order given here: the roles endpoints
  // take per_page first.
  const offsetParams = {
    page: params.page,
    per_page: params.perPage(1),
    include_totals: params.includeTotals,
  };
  const roleOffsetParams = {
    per_page: offsetParams.per_page,
    page: offsetParams.page,
    include_totals: offsetParams.include_totals,
  };
  const offsetOrCheckpoint = {
    ...offsetParams,
    from: params.from,
    take: params.take,
  };
  /** Offset paging with the cap error of the endpoints that have checkpoint paging too. */
  const offsetList = <T>(
    items: readonly T[],
    query: QueryValues,
    key: string,
    render: (item: T) => unknown,
  ) =>
    offsetPage(items, query, key, {
      capError: checkpointPagingCapError,
      render,
    });
  const listOf = <T>(
    items: readonly T[],
    query: QueryValues,
    key: string,
    idOf: (item: T) => string,
    render: (item: T) => unknown,
  ) =>
    wantsCheckpoint(query)
      ? checkpointPage(items, query, key, { idOf, render })
      : offsetList(items, query, key, render);

  return [
    {
      endpoint: 'users',
      method: 'GET',
      pattern: /^\/users$/,
      scopes: ['read:users', 'read:user_idp_tokens'],
      query: {
        page: params.page,
        per_page: usersPerPage,
        include_totals: params.includeTotals,
        sort: {
          type: 'string',
          description:
            'Field to sort by. Use field:order where order is 1 for ascending and -1 for descending. e.g. created_at:1',
        },
        connection: {
          type: 'string',
          description:
            'Connection filter. Only applies when using search_engine=v1. To filter by connection with search_engine=v2|v3, use q=identities.connection:"connection_name"',
        },
        fields: params.fields,
        include_fields: params.includeFields,
        q: {
          type: 'string',
          description:
            'Query in Lucene query string syntax. Some query types cannot be used on metadata fields, for details see Searchable Fields.',
        },
        search_engine: {
          type: 'string',
          enum: ['v1', 'v2', 'v3'],
          description: 'The version of the search engine',
        },
        primary_order: {
          type: 'boolean',
          description:
            'If true (default), results are returned in a deterministic order. If false, results may be returned in a non-deterministic order, which can enhance performance for complex queries targeting a small number of users. Set to false only when consistent ordering and pagination is not required.',
        },
      },
      handle({ query }) {
        if (query.search_engine === 'v1' || query.search_engine === 'v2') {
          throw apiError(
            400,
            `auth0-dev-server implements search_engine=v3 only (Auth0 has retired ${query.search_engine}).`,
            'invalid_query_string',
          );
        }
        let people = directory.people();
        if (typeof query.q === 'string' && query.q.trim() !== '') {
          let matches: (candidate: Person) => boolean;
          try {
            matches = parseUserQuery(query.q);
          } catch (error) {
            if (!(error instanceof UserQueryError)) throw error;
            throw apiError(
              400,
              `Query validation error: the q parameter cannot be used: ${error.message}.`,
              'invalid_query_string',
            );
          }
          people = people.filter(matches);
        }
        if (typeof query.sort === 'string') {
          people = sortPeople(people, query.sort);
        }
        return {
          body: offsetPage(people, query, 'users', {
            capError: usersPagingCapError,
            withLength: true,
            render: found => profile(found, query),
          }),
        };
      },
    },
    {
      endpoint: 'user',
      method: 'GET',
      pattern: /^\/users\/([^/]+)$/,
      scopes: ['read:users', 'read:current_user', 'read:user_idp_tokens'],
      query: { fields: params.fields, include_fields: params.includeFields },
      handle: ({ match, query }) => ({
        body: profile(person(match[0]), query),
      }),
    },
    {
      endpoint: 'userRoles',
      method: 'GET',
      pattern: /^\/users\/([^/]+)\/roles$/,
      scopes: ['read:users', 'read:roles', 'read:role_members'],
      query: roleOffsetParams,
      handle: ({ match, query }) => ({
        body: offsetList(
          existing(person(match[0]).roles, id => directory.role(id)),
          query,
          'roles',
          renderRole,
        ),
      }),
    },
    {
      endpoint: 'userOrganizations',
      method: 'GET',
      pattern: /^\/users\/([^/]+)\/organizations$/,
      scopes: ['read:organizations'],
      query: offsetParams,
      handle: ({ match, query }) => ({
        body: offsetList(
          existing(person(match[0]).organizations, id =>
            directory.organization(id),
          ),
          query,
          'organizations',
          renderOrganization,
        ),
      }),
    },
    {
      endpoint: 'roles',
      method: 'GET',
      pattern: /^\/roles$/,
      scopes: ['read:roles'],
      query: {
        ...roleOffsetParams,
        name_filter: {
          type: 'string',
          description: 'Optional filter on name (case-insensitive).',
        },
        type: {
          type: 'string',
          enum: ['tenant', 'organization'],
          description: 'Optional filter on the type of the role',
        },
        owner_id: {
          type: 'string',
          description:
            'Filter organization-level roles by owner ID. Required when type is "organization".',
        },
      },
      handle({ query }) {
        const filter =
          typeof query.name_filter === 'string'
            ? query.name_filter.toLowerCase()
            : undefined;
        // Every fixture role is a tenant role; the dev server has no organization roles.
        const roles =
          query.type === 'organization'
            ? []
            : directory.roles.filter(
                found =>
                  filter === undefined ||
                  found.name.toLowerCase().includes(filter),
              );
        return { body: offsetList(roles, query, 'roles', renderRole) };
      },
    },
    {
      endpoint: 'role',
      method: 'GET',
      pattern: /^\/roles\/([^/]+)$/,
      scopes: ['read:roles'],
      query: {},
      handle: ({ match }) => ({ body: renderRole(role(match[0])) }),
    },
    {
      endpoint: 'roleUsers',
      method: 'GET',
      pattern: /^\/roles\/([^/]+)\/users$/,
      scopes: ['read:users', 'read:roles', 'read:role_members'],
      query: offsetOrCheckpoint,
      handle: ({ match, query }) => ({
        body: listOf(
          directory.roleMembers(role(match[0]).id),
          query,
          'users',
          found => found.sub,
          found => memberSummary(found, origin),
        ),
      }),
    },
    {
      endpoint: 'organizations',
      method: 'GET',
      pattern: /^\/organizations$/,
      scopes: ['read:organizations', 'read:organizations_summary'],
      query: {
        ...offsetOrCheckpoint,
        sort: {
          type: 'string',
          description:
            'Field to sort by. Use <code>field:order</code> where order is <code>1</code> for ascending and <code>-1</code> for descending. e.g. <code>created_at:1</code>. We currently support sorting by the following fields: <code>name</code>, <code>display_name</code> and <code>created_at</code>.',
        },
        include_client_association_for: {
          type: 'string',
          description: 'Client ID.',
        },
      },
      handle({ query }) {
        let organizations = [...directory.organizations];
        if (typeof query.sort === 'string') {
          const sort = /^(name|display_name|created_at):(1|-1)$/.exec(
            query.sort,
          );
          if (!sort) {
            throw apiError(
              400,
              `Query validation error: 'Invalid sort "${query.sort}": use name, display_name or created_at, then :1 or :-1' on property sort.`,
              'invalid_query_string',
            );
          }
          const key = sort[1] === 'display_name' ? 'displayName' : 'name';
          const direction = Number(sort[2]);
          // Fixture organizations were all made at once: created_at keeps file order.
          if (sort[1] !== 'created_at') {
            organizations.sort(
              (a, b) => a[key].localeCompare(b[key]) * direction,
            );
          } else if (direction < 0) {
            organizations = organizations.reverse();
          }
        }
        return {
          body: listOf(
            organizations,
            query,
            'organizations',
            found => found.id,
            renderOrganization,
          ),
        };
      },
    },
    {
      endpoint: 'organization',
      method: 'GET',
      pattern: /^\/organizations\/([^/]+)$/,
      scopes: ['read:organizations', 'read:organizations_summary'],
      query: {},
      handle: ({ match }) => ({
        body: renderOrganization(organization(match[0])),
      }),
    },
    {
      endpoint: 'organizationMembers',
      method: 'GET',
      pattern: /^\/organizations\/([^/]+)\/members$/,
      scopes: ['read:organization_members'],
      query: {
        ...offsetOrCheckpoint,
        fields: params.fields,
        include_fields: params.includeFields,
      },
      handle({ match, query, auth }) {
        const found = organization(match[0]);
        const fields =
          typeof query.fields === 'string'
            ? query.fields.split(',').map(name => name.trim())
            : [];
        const withRoles =
          query.include_fields !== false && fields.includes('roles');
        if (withRoles && !auth.scopes.has('read:organization_member_roles')) {
          throw insufficientScope(['read:organization_member_roles']);
        }
        return {
          body: listOf(
            directory.organizationMembers(found.id),
            query,
            'members',
            member => member.sub,
            member =>
              selectFields(
                {
                  ...memberSummary(member, origin),
                  // Organization roles: the dev server has none.
                  ...(withRoles ? { roles: [] } : {}),
                },
                query,
              ),
          ),
        };
      },
    },
    {
      endpoint: 'usersExports',
      method: 'POST',
      pattern: /^\/jobs\/users-exports$/,
      scopes: ['read:users'],
      query: {},
      async handle({ ctx, auth }) {
        const body = await readJsonBody(ctx);
        const request = validateExportRequest(body);
        const knobs = options.knobs();
        const job = options.exportJobs.create({
          format: request.format,
          fields: request.fields,
          limit: request.limit,
          connectionId: request.connectionId,
          durationMs: knobs.exportJobDurationMs,
          fails: knobs.failExportJobs,
          people: directory.people(),
        });
        options.log(
          `${auth.clientId} created users-export ${job.id} (${
            request.format
          }, ${directory.people().length} users, ${
            knobs.exportJobDurationMs
          } ms)`,
        );
        return { status: 201, body: options.exportJobs.describe(job) };
      },
    },
    {
      endpoint: 'job',
      method: 'GET',
      pattern: /^\/jobs\/([^/]+)$/,
      scopes: ['create:users', 'read:users'],
      query: {},
      handle({ match }) {
        if (!/^job_[A-Za-z0-9]{16}$/.test(match[0])) {
          throw apiError(
            400,
            "Path validation error: 'String does not match pattern ^job_[A-Za-z0-9]{16}$' on property id (ID of the job.).",
            'invalid_uri',
          );
        }
        const job = options.exportJobs.get(match[0]);
        if (!job)
          throw apiError(404, 'The job does not exist.', 'inexistent_job');
        return { body: options.exportJobs.describe(job) };
      },
    },
    ...clientRoutes(options),
  ];
}

function clientRoutes(options: ManagementApiOptions): Route[] {
  const inexistentClient = () =>
    apiError(404, 'Client not found.', 'inexistent_client');
  const clientIdPattern = /^\/clients\/([^/]+)$/;
  return [
    {
      endpoint: 'client',
      method: 'GET',
      pattern: clientIdPattern,
      scopes: ['read:clients', 'read:client_keys'],
      query: { fields: params.fields, include_fields: params.includeFields },
      handle({ match, query, auth }) {
        const found = options.clients.get(match[0], {
          // Auth0 shows the secret only to tokens that may read keys.
          withSecret: auth.scopes.has('read:client_keys'),
        });
        if (!found) throw inexistentClient();
        return { body: selectFields(found, query) };
      },
    },
    {
      endpoint: 'client',
      method: 'PATCH',
      pattern: clientIdPattern,
      scopes: ['update:clients', 'update:client_keys'],
      query: {},
      async handle({ ctx, match, auth }) {
        const body = await readJsonBody(ctx);
        if (!options.clients.get(match[0], { withSecret: false })) {
          throw inexistentClient();
        }
        try {
          await options.clients.update(match[0], body);
        } catch (error) {
          if (!(error instanceof AdminRequestError)) throw error;
          throw error.status === 400
            ? apiError(
                400,
                `Payload validation error: '${error.problems.join('; ')}'.`,
                'invalid_body',
              )
            : apiError(error.status, error.message);
        }
        options.log(
          `${auth.clientId} changed application ${match[0]}: ${JSON.stringify(
            body,
          )}`,
        );
        return {
          body: options.clients.get(match[0], {
            withSecret: auth.scopes.has('update:client_keys'),
          }),
        };
      },
    },
  ];
}

/** What these ids name, leaving out any id that names nothing. */
function existing<T>(
  ids: readonly string[],
  find: (id: string) => T | undefined,
): T[] {
  return ids
    .map(id => find(id))
    .filter((found): found is T => found !== undefined);
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value;
}

function renderRole(role: FixtureRole) {
  return { id: role.id, name: role.name, description: role.description };
}

function renderOrganization(organization: FixtureOrganization) {
  return {
    id: organization.id,
    name: organization.name,
    display_name: organization.displayName,
  };
}

const sortableUserFields: Record<string, (person: Person) => string | number> =
  {
    created_at: person => person.createdAt,
    updated_at: person => person.updatedAt,
    last_login: person => person.lastLogin ?? '',
    email: person => person.email.toLowerCase(),
    name: person => person.name.toLowerCase(),
    nickname: person => person.nickname.toLowerCase(),
    user_id: person => person.sub,
    logins_count: person => person.loginsCount,
  };

function sortPeople(people: readonly Person[], sort: string): Person[] {
  const match = /^([a-z_]+):(1|-1)$/.exec(sort);
  const keyOf = match ? sortableUserFields[match[1]] : undefined;
  if (!match || !keyOf) {
    throw apiError(
      400,
      `Query validation error: 'Invalid sort "${sort}": use field:1 or field:-1 with one of ${Object.keys(
        sortableUserFields,
      ).join(', ')}' on property sort.`,
      'invalid_query_string',
    );
  }
  const direction = Number(match[2]);
  return [...people].sort((a, b) => {
    const left = keyOf(a);
    const right = keyOf(b);
    if (left === right) return 0;
    return (left < right ? -1 : 1) * direction;
  });
}

async function readJsonBody(ctx: KoaContextWithOIDC): Promise<unknown> {
  if (!ctx.is('application/json')) {
    throw apiError(415, 'Unsupported Media Type');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > maxPayloadBytes) {
      throw apiError(
        413,
        `Payload content length greater than maximum allowed: ${maxPayloadBytes}`,
      );
    }
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw apiError(400, 'Invalid request payload JSON format');
  }
}

type ExportRequest = {
  format: 'json' | 'csv';
  fields: ExportField[];
  limit?: number;
  connectionId?: string;
};

function validateExportRequest(body: unknown): ExportRequest {
  const payloadError = (detail: string) =>
    apiError(400, `Payload validation error: ${detail}.`, 'invalid_body');
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw payloadError(`'Expected type object but found type ${typeOf(body)}'`);
  }
  const input = body as Record<string, unknown>;
  const extra = Object.keys(input).filter(
    key => !['connection_id', 'format', 'limit', 'fields'].includes(key),
  );
  if (extra.length > 0) {
    throw payloadError(
      `'Additional properties not allowed: ${extra.join(',')}'`,
    );
  }
  const format = input.format ?? 'csv';
  if (format !== 'json' && format !== 'csv') {
    throw payloadError(
      `'No enum match for: ${JSON.stringify(
        format,
      )}' on property format (Format of the file. Must be \`json\` or \`csv\`.)`,
    );
  }
  let limit: number | undefined;
  if (input.limit !== undefined) {
    if (
      typeof input.limit !== 'number' ||
      !Number.isInteger(input.limit) ||
      input.limit < 1
    ) {
      throw payloadError(
        `'Value ${JSON.stringify(
          input.limit,
        )} is not an integer of at least 1' on property limit (Limit the number of records.)`,
      );
    }
    limit = input.limit;
  }
  let connectionId: string | undefined;
  if (input.connection_id !== undefined) {
    if (input.connection_id !== databaseConnection.id) {
      throw apiError(
        400,
        'The connection does not exist.',
        'inexistent_connection',
      );
    }
    connectionId = databaseConnection.id;
  }
  let fields = defaultExportFields.filter(
    field => format === 'json' || field.name !== 'identities',
  );
  if (input.fields !== undefined) {
    if (
      !Array.isArray(input.fields) ||
      input.fields.length === 0 ||
      !input.fields.every(
        field =>
          typeof field === 'object' &&
          field !== null &&
          typeof (field as ExportField).name === 'string' &&
          (field as ExportField).name !== '' &&
          ((field as ExportField).export_as === undefined ||
            typeof (field as ExportField).export_as === 'string') &&
          Object.keys(field).every(
            key => key === 'name' || key === 'export_as',
          ),
      )
    ) {
      throw payloadError(
        "'Expected a non-empty list of { name, export_as? }' on property fields (List of fields to be included in the CSV. Defaults to a predefined set of fields.)",
      );
    }
    fields = (input.fields as ExportField[]).map(field => ({
      name: field.name,
      ...(field.export_as === undefined ? {} : { export_as: field.export_as }),
    }));
  }
  if (format === 'csv' && fields.length > maxCsvFields) {
    throw payloadError(
      `'Array is too long (${fields.length}), maximum ${maxCsvFields}' on property fields (List of fields to be included in the CSV. Defaults to a predefined set of fields.)`,
    );
  }
  return { format, fields, limit, connectionId };
}
