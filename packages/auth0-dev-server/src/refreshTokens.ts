import type { FixtureUsers } from './fixtureUsers.ts';
import type { MemoryStore } from './memoryAdapter.ts';
import type { OrganizationGrants } from './organizations.ts';

/** One usable refresh token, as the admin API lists it (never the token itself). */
export type RefreshTokenSummary = {
  /** `auth0|<id>` */
  sub: string;
  email?: string;
  clientId: string;
  /** The organization of the sign-in, or null for a sign-in without one. */
  organization: string | null;
  /** How often the family was rotated to reach this token (0 for the first). */
  rotations: number;
  /** When the family's first token was issued (the sign-in), ISO 8601. */
  familyIssuedAt: string;
  expiresAt: string;
};

/**
 * The refresh tokens that `POST /oauth/token` would still accept: not revoked, not rotated
 * away, not expired. Tests use it to see that a sign-out revoked a user's tokens.
 */
export function listRefreshTokens(
  store: MemoryStore,
  users: FixtureUsers,
  organizationGrants: OrganizationGrants,
): RefreshTokenSummary[] {
  const now = Math.floor(Date.now() / 1000);
  const summaries: RefreshTokenSummary[] = [];
  for (const [, payload] of store.live('RefreshToken')) {
    const exp = typeof payload.exp === 'number' ? payload.exp : Infinity;
    if (payload.consumed || exp <= now) continue;
    const sub = String(payload.accountId);
    const iiat =
      typeof payload.iiat === 'number' ? payload.iiat : Number(payload.iat);
    summaries.push({
      sub,
      email: users.bySub(sub)?.email,
      clientId: String(payload.clientId),
      organization:
        organizationGrants.organizationOf(
          typeof payload.grantId === 'string' ? payload.grantId : undefined,
        ) ?? null,
      rotations: typeof payload.rotations === 'number' ? payload.rotations : 0,
      familyIssuedAt: new Date(iiat * 1000).toISOString(),
      expiresAt: Number.isFinite(exp)
        ? new Date(exp * 1000).toISOString()
        : 'never',
    });
  }
  return summaries.sort((a, b) =>
    a.familyIssuedAt.localeCompare(b.familyIssuedAt),
  );
}
