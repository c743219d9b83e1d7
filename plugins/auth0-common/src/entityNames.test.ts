import { normalizeAuth0EntityName } from './entityNames';

describe('normalizeAuth0EntityName', () => {
  it.each([
    ['chris', 'chris'],
    ['Alex', 'alex'],
    ['jordan.lee', 'jordan.lee'],
    ['chris+ops', 'chris-ops'],
    ['first_last-2', 'first_last-2'],
    ['Platform Team', 'platform-team'],
    ['SRE On-Call', 'sre-on-call'],
    ['"quoted name"', 'quoted-name'],
    ['-._leading', 'leading'],
    ['trailing._-', 'trailing'],
    ['émile', 'mile'],
    ['\u212Aevin', 'evin'],
    ['用户', ''],
    ['', ''],
  ])('%j becomes %j', (text, name) => {
    expect(normalizeAuth0EntityName(text)).toBe(name);
  });

  it('lower-cases A to Z only, so the KELVIN SIGN does not become k', () => {
    expect(normalizeAuth0EntityName('\u212Aevin')).not.toBe('kevin');
  });

  it('keeps at most 63 characters and ends on a letter or digit', () => {
    const name = normalizeAuth0EntityName(`${'a'.repeat(62)}-b`);
    expect(name).toBe('a'.repeat(62));
    expect(normalizeAuth0EntityName('x'.repeat(100))).toHaveLength(63);
  });
});
