import { createHash, timingSafeEqual } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { MemoryStore } from './memoryAdapter.ts';
import { setCountedSub } from './trafficControl.ts';

export type RevocationOptions = {
  provider: Provider;
  store: MemoryStore;
  clientId: string;
  clientSecret: string;
  log: (message: string) => void;
};

const maxBodyBytes = 64 * 1024;

type OAuthError = { status: number; error: string; description: string };

/**
 * Auth0's `POST /oauth/revoke`, implemented here rather than by oidc-provider (whose
 * revocation endpoint takes form bodies only and revokes the whole grant, access tokens
 * included). Like Auth0 it takes `client_id`, `client_secret` and `token` as JSON or as a
 * form, answers 200 with an empty body whether or not the token was still live, and
 * revokes the refresh token together with its rotation family. Access tokens already
 * issued stay valid until they expire, as Auth0's (self-contained) ones do.
 */
export function revocationRoute(options: RevocationOptions) {
  const { provider, store } = options;
  const secretDigest = digest(options.clientSecret);

  return async function revocationMiddleware(
    ctx: KoaContextWithOIDC,
    next: () => Promise<void>,
  ) {
    if (ctx.path !== '/oauth/revoke' || ctx.method !== 'POST') {
      await next();
      return;
    }
    ctx.set('cache-control', 'no-store');
    const failure = await revoke(ctx);
    if (failure) {
      ctx.status = failure.status;
      ctx.body = {
        error: failure.error,
        error_description: failure.description,
      };
      return;
    }
    // Koa turns an empty body into 204 unless the status is set after it.
    ctx.body = null;
    ctx.status = 200;
  };

  async function revoke(
    ctx: KoaContextWithOIDC,
  ): Promise<OAuthError | undefined> {
    const body = await readParams(ctx);
    if ('error' in body) return body;
    const params = body.params;
    for (const name of ['client_id', 'token'] as const) {
      if (params[name] === undefined || params[name] === '') {
        return invalidRequest(`Missing required parameter: ${name}`);
      }
    }
    if (
      params.client_id !== options.clientId ||
      params.client_secret === undefined ||
      !timingSafeEqual(digest(params.client_secret), secretDigest)
    ) {
      return {
        status: 401,
        error: 'invalid_client',
        description:
          params.client_id !== options.clientId
            ? `Unknown client: ${params.client_id}`
            : 'Client authentication failed: wrong or missing client_secret',
      };
    }

    // An unknown, expired or already revoked token is no error (RFC 7009, and Auth0).
    const token = await provider.RefreshToken.find(params.token as string, {
      ignoreExpiration: true,
    });
    if (!token || token.clientId !== options.clientId) return undefined;
    setCountedSub(ctx, token.accountId);
    const family = store
      .live('RefreshToken')
      .filter(
        ([, payload]) =>
          payload.grantId === token.grantId && payload.iiat === token.iiat,
      );
    for (const [id] of family) store.destroy('RefreshToken', id);
    options.log(
      `revoked a refresh token of ${token.accountId} (${family.length} in its rotation family)`,
    );
    return undefined;
  }
}

type Params = Partial<Record<'client_id' | 'client_secret' | 'token', string>>;

/** The body as JSON or as a form, as Auth0 takes both. */
async function readParams(
  ctx: KoaContextWithOIDC,
): Promise<{ params: Params } | OAuthError> {
  let text: string;
  try {
    text = await readBody(ctx);
  } catch (error) {
    return invalidRequest((error as Error).message);
  }
  const names = ['client_id', 'client_secret', 'token'] as const;
  if (ctx.is('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return invalidRequest('The request body is not valid JSON');
    }
    if (
      typeof parsed !== 'object' ||
      parsed === null ||
      Array.isArray(parsed)
    ) {
      return invalidRequest('The request body must be a JSON object');
    }
    const params: Params = {};
    for (const name of names) {
      const value = (parsed as Record<string, unknown>)[name];
      if (value === undefined || value === null) continue;
      if (typeof value !== 'string') {
        return invalidRequest(`Parameter ${name} must be a string`);
      }
      params[name] = value;
    }
    return { params };
  }
  if (ctx.is('application/x-www-form-urlencoded') || text === '') {
    const form = new URLSearchParams(text);
    const params: Params = {};
    for (const name of names) {
      const value = form.get(name);
      if (value !== null) params[name] = value;
    }
    return { params };
  }
  return invalidRequest(
    `Unsupported content-type "${ctx.get(
      'content-type',
    )}": send application/json or application/x-www-form-urlencoded`,
  );
}

async function readBody(ctx: KoaContextWithOIDC): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) throw new Error('The request body is too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function invalidRequest(description: string): OAuthError {
  return { status: 400, error: 'invalid_request', description };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
