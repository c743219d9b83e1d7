import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { FixtureUser, FixtureUsers } from './fixtureUsers.ts';
import { consentPage, errorPage, loginPage } from './pages.ts';
import { setCountedSub } from './trafficControl.ts';

export type InteractionOptions = {
  provider: Provider;
  users: FixtureUsers;
  usersFile: string;
  log: (message: string) => void;
  /** A user signed in (the Management API's logins_count and last_login follow). */
  onSignIn?: (sub: string) => void;
};

const routePattern =
  /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|consent|abort))?$/;
const maxFormBytes = 64 * 1024;

/**
 * The dev server's Universal Login: a login page (pick a fixture user or type an email, and
 * the password) and a consent page for requests that say prompt=consent.
 */
export function interactionRoutes(options: InteractionOptions) {
  const { provider, users } = options;
  const sharedPasswords = new Set(users.all.map(user => user.password));
  const sharedPasswordHint =
    sharedPasswords.size === 1
      ? `Every fixture user's password is "${[...sharedPasswords][0]}".`
      : "Each fixture user's password is in the fixture file.";

  return async function interactionMiddleware(
    ctx: KoaContextWithOIDC,
    next: () => Promise<void>,
  ) {
    const match = routePattern.exec(ctx.path);
    if (!match) {
      await next();
      return;
    }
    const [, uid, action] = match;
    ctx.set('cache-control', 'no-store');
    let details: Awaited<ReturnType<Provider['interactionDetails']>>;
    try {
      details = await provider.interactionDetails(ctx.req, ctx.res);
    } catch (error) {
      if ((error as Error).name !== 'SessionNotFound') throw error;
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = errorPage('Sign-in expired', (error as Error).message, [
        'The sign-in took longer than an hour, was finished in another tab, or the dev server restarted since it began.',
        'Start the sign-in again from the app.',
      ]);
      return;
    }
    if (details.uid !== uid) {
      ctx.status = 400;
      ctx.type = 'text';
      ctx.body =
        'This sign-in page belongs to another sign-in; start again from the app.';
      return;
    }
    const clientId = String(details.params.client_id);
    const renderLogin = (
      status: number,
      extra: Partial<Parameters<typeof loginPage>[0]>,
    ) => {
      ctx.status = status;
      ctx.type = 'html';
      const organization = details.params.organization;
      ctx.body = loginPage({
        uid,
        clientId,
        users: users.all,
        sharedPasswordHint,
        usersFile: options.usersFile,
        organization:
          typeof organization === 'string' && organization !== ''
            ? users.organization(organization)
            : undefined,
        ...extra,
      });
    };
    const finish = async (
      result: Parameters<Provider['interactionResult']>[2],
      merge: boolean,
    ) => {
      const returnTo = await provider.interactionResult(
        ctx.req,
        ctx.res,
        result,
        {
          mergeWithLastSubmission: merge,
        },
      );
      ctx.status = 303;
      ctx.redirect(returnTo);
    };

    if (ctx.method === 'GET' && !action) {
      if (details.prompt.name === 'login') {
        const hint =
          typeof details.params.login_hint === 'string'
            ? details.params.login_hint
            : '';
        const hinted = hint ? users.byEmail(hint) : undefined;
        renderLogin(200, {
          selectedUserId: hinted?.id,
          typedEmail: hinted ? '' : hint,
        });
        return;
      }
      ctx.type = 'html';
      ctx.body = consentPage({
        uid,
        clientId,
        user: details.session
          ? users.bySub(details.session.accountId)
          : undefined,
        scopes: String(details.params.scope ?? '')
          .split(' ')
          .filter(Boolean),
      });
      return;
    }

    if (ctx.method !== 'POST' || !action) {
      ctx.status = 405;
      return;
    }
    const form = await readForm(ctx);

    if (action === 'abort') {
      await finish(
        {
          error: 'access_denied',
          error_description: 'The user cancelled the sign-in',
        },
        false,
      );
      return;
    }

    if (action === 'login') {
      if (details.prompt.name !== 'login') {
        ctx.status = 400;
        ctx.type = 'text';
        ctx.body =
          'This sign-in no longer waits for a login; start again from the app.';
        return;
      }
      const chosen = form.get('user') ?? '';
      const email = (form.get('email') ?? '').trim();
      const password = form.get('password') ?? '';
      const keep = {
        selectedUserId: chosen !== 'other' ? chosen : undefined,
        typedEmail: email,
      };
      let user: FixtureUser | undefined;
      if (chosen && chosen !== 'other') {
        user = users.byId(chosen);
        if (!user) {
          renderLogin(400, {
            ...keep,
            error: `There is no fixture user with the id "${chosen}".`,
          });
          return;
        }
      } else if (email) {
        user = users.byEmail(email);
        if (!user) {
          renderLogin(400, {
            ...keep,
            error: `No fixture user has the email "${email}". Pick one of the users below, or add one to ${options.usersFile}.`,
          });
          return;
        }
      } else {
        renderLogin(400, {
          ...keep,
          error: 'Pick one of the users below, or type an email.',
        });
        return;
      }
      if (password !== user.password) {
        options.log(`wrong password for ${user.email}`);
        renderLogin(401, {
          selectedUserId: user.id,
          error: `Wrong password for ${user.email}. ${sharedPasswordHint}`,
        });
        return;
      }
      setCountedSub(ctx, user.sub);
      if (user.blocked) {
        // Auth0 refuses a blocked user after the password, back at the application.
        options.log(`${user.email} (${user.sub}) is blocked: sign-in refused`);
        await finish(
          { error: 'unauthorized', error_description: 'user is blocked' },
          false,
        );
        return;
      }
      options.log(`${user.email} (${user.sub}) signed in to ${clientId}`);
      options.onSignIn?.(user.sub);
      await finish({ login: { accountId: user.sub } }, false);
      return;
    }

    // consent
    if (details.prompt.name !== 'consent' || !details.session) {
      ctx.status = 400;
      ctx.type = 'text';
      ctx.body =
        'This sign-in no longer waits for consent; start again from the app.';
      return;
    }
    if (form.get('decision') !== 'accept') {
      await finish(
        {
          error: 'access_denied',
          error_description: 'The user declined to authorize the application',
        },
        false,
      );
      return;
    }
    const grant =
      (details.grantId
        ? await provider.Grant.find(details.grantId)
        : undefined) ??
      new provider.Grant({ accountId: details.session.accountId, clientId });
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope)
      grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims)
      grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [resource, scopes] of Object.entries(
      missing.missingResourceScopes ?? {},
    )) {
      grant.addResourceScope(resource, scopes.join(' '));
    }
    const grantId = await grant.save();
    await finish({ consent: { grantId } }, true);
  };
}

async function readForm(ctx: KoaContextWithOIDC): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > maxFormBytes) {
      ctx.throw(413, 'form too large');
    }
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
