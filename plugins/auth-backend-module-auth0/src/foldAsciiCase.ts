/**
 * Lower-cases A to Z only. Unicode case folding would turn the KELVIN SIGN (U+212A) into
 * `k` and sign `\u212Aevin@…` in as `kevin@…`: any character other than A to Z has to match
 * exactly.
 */
export function foldAsciiCase(text: string): string {
  return text.replace(/[A-Z]/g, letter => letter.toLowerCase());
}
