import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { CountersSnapshot } from './counters.ts';
import { validateKnobsPatch, type Knobs, type KnobsPatch } from './knobs.ts';
import type { RefreshTokenSummary } from './refreshTokens.ts';
import {
  AdminRequestError,
  type UserPatch,
  type UserRolesState,
} from './rolesClaim.ts';
import type { SyntheticUsersSpec } from './syntheticUsers.ts';

/**
 * What a test or benchmark can do to a running dev server: in process through
 * `Auth0DevServer`, or over HTTP through the admin API.
 */
export type DevServerControls = {
  knobs(): Knobs;
  updateKnobs(patch: KnobsPatch): Promise<Knobs>;
  counters(): CountersSnapshot;
  resetCounters(): CountersSnapshot;
  /** The live refresh tokens (never their values), e.g. to see that a sign-out revoked them. */
  refreshTokens(): RefreshTokenSummary[];
  /** How many synthetic users the Management API serves, and their seed. */
  syntheticUsers(): SyntheticUsersSpec;
  /** Replaces the synthetic users (count 0 removes them); throws on a bad count or seed. */
  setSyntheticUsers(spec: SyntheticUsersSpec): SyntheticUsersSpec;
  /**
   * Changes a fixture user (`chris` or `auth0|chris`) as an admin would in the Auth0
   * Dashboard: `roles` (ids or names) replaces its roles, for the Management API and the roles
   * claim of its next ID token (sign-in or refresh); `rolesClaim` overrides that claim's value
   * with any JSON (null ends the override). Throws an AdminRequestError: 404 for an unknown
   * user, 400 for a bad patch or an unknown role.
   */
  updateUser(id: string, patch: UserPatch): UserRolesState;
  /**
   * An application (`backstage-local` or `backstage-catalog`) as `GET /api/v2/clients/{id}`
   * shows it, secret included. Throws an AdminRequestError (404) for an unknown client id.
   */
  client(id: string): Record<string, unknown>;
  /**
   * Changes the sign-in application's settings as an admin would in the Auth0 Dashboard, in
   * Auth0's field names (`callbacks`, `allowed_logout_urls`, `grant_types`, `oidc_conformant`,
   * `jwt_configuration.alg`, `refresh_token.rotation_type` and `.leeway`), and answers it as
   * `client` does. Throws an AdminRequestError: 400 for a bad patch (nothing changes), 404
   * for an unknown client id, 501 for the machine-to-machine application.
   */
  updateClient(id: string, patch: unknown): Promise<Record<string, unknown>>;
  /**
   * Knobs back to their start values; counters and rate limits cleared; the synthetic
   * users as at the start; the fixture users' roles as in the file, without overrides; the
   * sign-in application's settings as at the start.
   */
  reset(): Promise<Knobs>;
};

/** What the admin API works on; the server provides it. */
export type AdminTarget = DevServerControls & {
  info(): Record<string, unknown>;
};

const maxBodyBytes = 64 * 1024;

/** A request the admin API cannot take: it answers 400 with the message. */
class BadRequest extends Error {}

const routeList =
  'GET /, GET|PATCH /knobs, GET|DELETE /counters, GET /refresh-tokens, GET|POST /synthetic-users, PATCH /users/{id}, GET|PATCH /clients/{id}, POST /reset';

/**
 * The admin API: plain HTTP with JSON on a loopback port of its own, so that it keeps
 * answering while the main port refuses connections.
 *
 *   GET    /          issuer, domain, client, CA file, and this list
 *   GET    /knobs     the knobs
 *   PATCH  /knobs     change some knobs; answers all of them
 *   GET    /counters  requests per endpoint and per user
 *   DELETE /counters  start counting afresh
 *   GET    /refresh-tokens[?sub=auth0|<id>]  the usable refresh tokens (not their values)
 *   GET    /synthetic-users  how many synthetic users, and their seed
 *   POST   /synthetic-users  { "count", "seed"? }: make that many (0 removes them)
 *   PATCH  /users/{id}  { "roles"?, "rolesClaim"? }: a fixture user's roles, or its roles
 *                       claim overridden
 *   GET    /clients/{id}  an application as the Management API shows it
 *   PATCH  /clients/{id}  { "callbacks"?, "grant_types"?, "refresh_token"?, ... }: the sign-in
 *                         application's settings, in Auth0's names
 *   POST   /reset     knobs to their start values, counters and rate limits cleared,
 *                     synthetic users, fixture roles and the application as at the start
 */
export function createAdminServer(target: AdminTarget): Server {
  return createServer((request, response) => {
    handle(target, request, response).catch(error => {
      if (error instanceof AdminRequestError) {
        send(response, error.status, {
          error: error.message,
          problems: error.problems,
        });
        return;
      }
      send(response, error instanceof BadRequest ? 400 : 500, {
        error: (error as Error).message,
      });
    });
  });
}

async function handle(
  target: AdminTarget,
  request: IncomingMessage,
  response: ServerResponse,
) {
  const url = new URL(request.url ?? '/', 'http://admin');
  const path = url.pathname;
  const route = `${request.method} ${path}`;
  const user = /^\/users\/([^/]+)$/.exec(path);
  if (user && request.method === 'PATCH') {
    const id = decodePathSegment(user[1]);
    const patch = await readJson(request);
    send(response, 200, target.updateUser(id, patch as UserPatch));
    return;
  }
  const client = /^\/clients\/([^/]+)$/.exec(path);
  if (client && request.method === 'GET') {
    send(response, 200, target.client(decodePathSegment(client[1])));
    return;
  }
  if (client && request.method === 'PATCH') {
    const id = decodePathSegment(client[1]);
    const patch = await readJson(request);
    send(response, 200, await target.updateClient(id, patch));
    return;
  }
  switch (route) {
    case 'GET /':
      send(response, 200, target.info());
      return;
    case 'GET /knobs':
      send(response, 200, target.knobs());
      return;
    case 'PATCH /knobs': {
      const { patch, problems } = validateKnobsPatch(await readJson(request));
      if (!patch) {
        send(response, 400, { error: problems.join('; '), problems });
        return;
      }
      send(response, 200, await target.updateKnobs(patch));
      return;
    }
    case 'GET /counters':
      send(response, 200, target.counters());
      return;
    case 'DELETE /counters':
      send(response, 200, target.resetCounters());
      return;
    case 'GET /refresh-tokens': {
      const sub = url.searchParams.get('sub');
      send(response, 200, {
        refreshTokens: target
          .refreshTokens()
          .filter(token => sub === null || token.sub === sub),
      });
      return;
    }
    case 'GET /synthetic-users':
      send(response, 200, target.syntheticUsers());
      return;
    case 'POST /synthetic-users': {
      const input = (await readJson(request)) as {
        count?: unknown;
        seed?: unknown;
      } | null;
      const unknown =
        typeof input === 'object' && input !== null
          ? Object.keys(input).filter(key => key !== 'count' && key !== 'seed')
          : [];
      if (
        typeof input !== 'object' ||
        input === null ||
        Array.isArray(input) ||
        typeof input.count !== 'number' ||
        (input.seed !== undefined && typeof input.seed !== 'number') ||
        unknown.length > 0
      ) {
        send(response, 400, {
          error: `the body must be { "count": a whole number, "seed"?: a whole number }${
            unknown.length > 0 ? `; unknown: ${unknown.join(', ')}` : ''
          }`,
        });
        return;
      }
      try {
        send(
          response,
          200,
          target.setSyntheticUsers({
            count: input.count,
            seed: (input.seed as number | undefined) ?? 1,
          }),
        );
      } catch (error) {
        send(response, 400, { error: (error as Error).message });
      }
      return;
    }
    case 'POST /reset':
      send(response, 200, await target.reset());
      return;
    default:
      send(response, 404, {
        error: `no admin route ${route}; the routes are ${routeList}`,
      });
  }
}

/** `auth0%7Cchris` is `auth0|chris`; a malformed escape is left as it is (no user has it). */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The request's body as JSON; a BadRequest when it is not JSON or is too large. */
async function readJson(request: IncomingMessage): Promise<unknown> {
  try {
    return JSON.parse(await readBody(request));
  } catch (error) {
    throw new BadRequest(`the body must be JSON: ${(error as Error).message}`);
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, status: number, body: unknown) {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(text);
}
