import { AsyncLocalStorage } from 'node:async_hooks';
import { AuditorService } from '@backstage/backend-plugin-api';
import { Request } from 'express';
import { Auth0SignInInfo } from './resolvers';

type Flow = { kind: 'sign-in' | 'refresh' | 'sign-out'; req: Request };

/**
 * Records every sign-in, refused sign-in, refused refresh and sign-out through
 * Backstage's auditor. Meta holds identities and reasons, never a token.
 */
export class Auth0Audit {
  readonly #auditor: AuditorService;
  readonly #flows = new AsyncLocalStorage<Flow>();

  constructor(auditor: AuditorService) {
    this.#auditor = auditor;
  }

  /** Runs a route handler so that resolvers and authenticators know which flow they serve. */
  within<T>(flow: Flow, run: () => Promise<T>): Promise<T> {
    return this.#flows.run(flow, run);
  }

  get currentFlow(): Flow['kind'] | undefined {
    return this.#flows.getStore()?.kind;
  }

  async signedIn(
    info: Auth0SignInInfo,
    userEntityRef: string,
    resolver: string,
  ) {
    const event = await this.#event('auth0-sign-in');
    await event.success({
      meta: { ...who(info), userEntityRef, resolver },
    });
  }

  async signInRefused(error: Error, info?: Auth0SignInInfo) {
    const event = await this.#event('auth0-sign-in');
    await event.fail({ error, meta: { ...who(info), reason: error.name } });
  }

  async refreshRefused(error: Error) {
    const reason = (error.cause as Error | undefined)?.name ?? error.name;
    const event = await this.#event('auth0-refresh');
    await event.fail({ error, meta: { reason } });
  }

  async signedOut(req: Request) {
    const event = await this.#auditor.createEvent({
      eventId: 'auth0-sign-out',
      severityLevel: 'medium',
      request: withoutQuery(req),
    });
    await event.success();
  }

  /** Sign-out went on, but the refresh token is still valid at Auth0 until it expires. */
  async revokeFailed(error: Error) {
    const event = await this.#event('auth0-revoke');
    await event.fail({ error, meta: { reason: error.name } });
  }

  /** Sign-in state changes are `medium`, which Backstage's auditor logs by default. */
  #event(eventId: string) {
    const req = this.#flows.getStore()?.req;
    return this.#auditor.createEvent({
      eventId,
      severityLevel: 'medium',
      request: req && withoutQuery(req),
    });
  }
}

/**
 * The auditor records the request URL; the callback's query carries the authorization
 * code and state, which belong in no log.
 */
function withoutQuery(req: Request): Request {
  return Object.create(req, {
    originalUrl: { value: req.originalUrl.split('?')[0] },
    url: { value: req.url.split('?')[0] },
  });
}

function who(info: Auth0SignInInfo | undefined) {
  const claims = info?.result.fullProfile;
  return {
    auth0Subject: claims?.sub ?? null,
    email: claims?.email ?? null,
    emailVerified: claims?.email_verified ?? null,
  };
}
