import type { FixtureOrganization, FixtureUser } from './fixtureUsers.ts';

/** The HTML the dev server shows a person: login, consent, errors, sign-out. */

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const styles = `
  body { font-family: system-ui, sans-serif; background: #f0f2f5; margin: 0; color: #1f2933; }
  main { max-width: 40rem; margin: 2rem auto; background: #fff; padding: 1.5rem 2rem;
         border-radius: 8px; box-shadow: 0 1px 4px rgba(0,0,0,.15); }
  h1 { font-size: 1.4rem; margin-top: 0; }
  .banner { background: #fff4d6; border: 1px solid #e8c766; padding: .6rem .8rem;
            border-radius: 4px; font-size: .9rem; }
  .error { background: #fde8e8; border: 1px solid #e3a0a0; padding: .6rem .8rem;
           border-radius: 4px; }
  fieldset { border: 1px solid #d0d7de; border-radius: 4px; margin: 1rem 0; }
  label.user { display: block; padding: .3rem 0; }
  .note { color: #5f6b7a; font-size: .85rem; }
  .badge { font-size: .75rem; padding: 0 .3rem; border-radius: 3px; background: #e3f5e1; }
  .badge.unverified { background: #fde8e8; }
  input[type=email], input[type=password], input[type=text] { padding: .3rem; width: 18rem; }
  button { padding: .45rem 1.1rem; margin-right: .5rem; }
  code { background: #f3f4f6; padding: 0 .2rem; }
`;

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${styles}</style>
</head>
<body><main>
<h1>${escapeHtml(title)}</h1>
<p class="banner">This is <strong>auth0-dev-server</strong>, the local Auth0 dev server for
development. It is not Auth0 and runs only on this machine.</p>
${body}
</main></body>
</html>`;
}

export type LoginPageInput = {
  uid: string;
  clientId: string;
  users: FixtureUser[];
  sharedPasswordHint: string;
  usersFile: string;
  /** The organization the sign-in asks for (`organization=`), if any. */
  organization?: FixtureOrganization;
  error?: string;
  selectedUserId?: string;
  typedEmail?: string;
};

export function loginPage(input: LoginPageInput): string {
  const other = !input.selectedUserId && Boolean(input.typedEmail);
  const userChoices = input.users
    .map(user => {
      const checked = input.selectedUserId === user.id ? ' checked' : '';
      const badge = user.emailVerified
        ? '<span class="badge">verified</span>'
        : '<span class="badge unverified">not verified</span>';
      const note = user.note
        ? `<br><span class="note">${escapeHtml(user.note)}</span>`
        : '';
      return `<label class="user"><input type="radio" name="user" value="${escapeHtml(
        user.id,
      )}"${checked}> <strong>${escapeHtml(user.name)}</strong> &lt;${escapeHtml(
        user.email,
      )}&gt; ${badge}${note}</label>`;
    })
    .join('\n');
  return page(
    'Sign in',
    `<p>to continue to <strong>${escapeHtml(input.clientId)}</strong>${
      input.organization
        ? ` in the organization <strong>${escapeHtml(
            input.organization.displayName,
          )}</strong> (<code>${escapeHtml(
            input.organization.id,
          )}</code>): only its members can sign in`
        : ''
    }</p>
${
  input.error
    ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>`
    : ''
}
<form method="post" action="/interaction/${escapeHtml(input.uid)}/login">
<fieldset>
<legend>Pick a fixture user</legend>
${userChoices}
<label class="user"><input type="radio" name="user" value="other"${
      other ? ' checked' : ''
    }> Someone else, by email:
<input type="email" name="email" autocomplete="username" value="${escapeHtml(
      input.typedEmail ?? '',
    )}"></label>
</fieldset>
<p><label>Password: <input type="password" name="password" autocomplete="current-password" required></label></p>
<p class="note">${escapeHtml(input.sharedPasswordHint)} Users come from
<code>${escapeHtml(input.usersFile)}</code>.</p>
<button type="submit">Continue</button>
<button type="submit" formaction="/interaction/${escapeHtml(
      input.uid,
    )}/abort" formnovalidate>Cancel</button>
</form>`,
  );
}

export type ConsentPageInput = {
  uid: string;
  clientId: string;
  user: FixtureUser | undefined;
  scopes: string[];
};

const scopeDescriptions: Record<string, string> = {
  openid: 'Sign you in',
  profile: 'Read your name, nickname and picture',
  email: 'Read your email address and whether it is verified',
  offline_access: 'Stay signed in (refresh tokens)',
};

export function consentPage(input: ConsentPageInput): string {
  const who = input.user
    ? `${escapeHtml(input.user.name)} &lt;${escapeHtml(input.user.email)}&gt;`
    : 'you';
  const scopes = input.scopes
    .map(
      scope =>
        `<li>${escapeHtml(
          scopeDescriptions[scope] ?? scope,
        )} <code>${escapeHtml(scope)}</code></li>`,
    )
    .join('\n');
  return page(
    'Authorize application',
    `<p>Signed in as ${who}. <strong>${escapeHtml(
      input.clientId,
    )}</strong> asked for consent (<code>prompt=consent</code>) to:</p>
<ul>${scopes}</ul>
<form method="post" action="/interaction/${escapeHtml(input.uid)}/consent">
<button type="submit" name="decision" value="accept">Accept</button>
<button type="submit" name="decision" value="deny">Decline</button>
</form>`,
  );
}

export function errorPage(
  title: string,
  message: string,
  hints: string[] = [],
): string {
  const hintList = hints.length
    ? `<ul>${hints.map(hint => `<li>${escapeHtml(hint)}</li>`).join('\n')}</ul>`
    : '';
  return page(
    title,
    `<p class="error" role="alert">${escapeHtml(message)}</p>${hintList}`,
  );
}

export function homePage(input: {
  issuer: string;
  clientId: string;
  managementClientId?: string;
  users: FixtureUser[];
}): string {
  const users = input.users
    .map(
      user =>
        `<li>${escapeHtml(user.email)}${
          user.emailVerified ? '' : ' (not verified)'
        }</li>`,
    )
    .join('\n');
  return page(
    'auth0-dev-server is running',
    `<p>Your browser reached <code>${escapeHtml(
      input.issuer,
    )}</code>. If it showed no certificate
warning just now, it trusts the dev server's certificate, and Auth0 sign-in from the app will work.</p>
<p>Client: <code>${escapeHtml(input.clientId)}</code>.
<a href="/.well-known/openid-configuration">OpenID configuration</a>.</p>${
      input.managementClientId
        ? `
<p>Management API: <code>${escapeHtml(
            new URL('api/v2/', input.issuer).href,
          )}</code>, for the machine-to-machine client <code>${escapeHtml(
            input.managementClientId,
          )}</code> (its secret: the admin API's <code>GET /</code>).</p>`
        : ''
    }
<p>Fixture users:</p>
<ul>${users}</ul>`,
  );
}

export function signedOutPage(): string {
  return page(
    'Signed out',
    '<p>You are signed out of the local Auth0 dev server. The next sign-in asks for a user again.</p>',
  );
}

const avatarColours = [
  '#3b6fb6',
  '#2f855a',
  '#b7791f',
  '#9b2c2c',
  '#6b46c1',
  '#2c7a7b',
];

/** A picture for users whose fixture gives none, so the app shows faces offline. */
export function avatarSvg(user: Pick<FixtureUser, 'id' | 'name'>): string {
  const initials = user.name
    .split(/\s+/)
    .filter(part => /^[A-Za-z]/.test(part))
    .slice(0, 2)
    .map(part => part[0].toUpperCase())
    .join('');
  const colour =
    avatarColours[
      [...user.id].reduce((sum, char) => sum + char.charCodeAt(0), 0) %
        avatarColours.length
    ];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">
<circle cx="64" cy="64" r="64" fill="${colour}"/>
<text x="64" y="78" font-family="sans-serif" font-size="44" fill="#fff" text-anchor="middle">${escapeHtml(
    initials,
  )}</text>
</svg>`;
}
