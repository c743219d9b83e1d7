/** The catalog's longest entity name. */
const MAX_NAME_LENGTH = 63;

/**
 * The catalog entity name for an Auth0 text (an email's local part, a role or organization
 * name): letters A to Z lower-cased, every character outside `[a-z0-9._-]` replaced by `-`,
 * leading and trailing `.`, `_` and `-` dropped (a name starts and ends with a letter or digit),
 * at most 63 characters. Only A to Z change case, as in the sign-in module: Unicode lower-casing
 * would turn the KELVIN SIGN into `k`. Empty when nothing is left.
 *
 * The catalog provider names Users and Groups with it, and the sign-in module finds the Groups
 * that a roles claim names with it.
 *
 * @public
 */
export function normalizeAuth0EntityName(text: string): string {
  return text
    .replace(/[A-Z]/g, letter => letter.toLowerCase())
    .replace(/[^a-z0-9._-]/g, '-')
    .replace(/^[._-]+/, '')
    .slice(0, MAX_NAME_LENGTH)
    .replace(/[._-]+$/, '');
}
