import { assignEntityNames, idHash } from './entityNames';

describe('assignEntityNames', () => {
  it('gives each base name to the request that wants it alone', () => {
    const { names, collisions } = assignEntityNames(
      [
        { id: 'auth0|a', base: 'alex', priority: '2020' },
        { id: 'auth0|s', base: 'sam', priority: '2021' },
      ],
      'user',
    );
    expect(Object.fromEntries(names)).toEqual({
      'auth0|a': 'alex',
      'auth0|s': 'sam',
    });
    expect(collisions).toEqual([]);
  });

  it('lets the earliest keep a shared name and suffixes the others with a hash of their id', () => {
    const requests = [
      { id: 'auth0|upper', base: 'alex', priority: '2024-05-01T00:00:00.000Z' },
      { id: 'auth0|alex', base: 'alex', priority: '2023-01-01T00:00:00.000Z' },
    ];
    const { names, collisions } = assignEntityNames(requests, 'user');
    expect(names.get('auth0|alex')).toBe('alex');
    expect(names.get('auth0|upper')).toBe(`alex-${idHash('auth0|upper', 8)}`);
    expect(collisions).toEqual([
      {
        base: 'alex',
        keptBy: 'auth0|alex',
        renamed: [{ id: 'auth0|upper', name: names.get('auth0|upper') }],
      },
    ]);
  });

  it('breaks a tie of priority by the lower id', () => {
    const { names } = assignEntityNames(
      [
        { id: 'b', base: 'n', priority: 'same' },
        { id: 'a', base: 'n', priority: 'same' },
      ],
      'user',
    );
    expect(names.get('a')).toBe('n');
    expect(names.get('b')).toMatch(/^n-[0-9a-f]{8}$/);
  });

  it('gives the same names whatever the order of the requests', () => {
    const requests = [
      { id: 'auth0|1', base: 'chris', priority: '2022' },
      { id: 'auth0|2', base: 'chris', priority: '2021' },
      { id: 'auth0|3', base: 'chris', priority: '2023' },
      { id: 'auth0|4', base: 'dana', priority: '2020' },
    ];
    const forward = assignEntityNames(requests, 'user').names;
    const backward = assignEntityNames([...requests].reverse(), 'user').names;
    expect(Object.fromEntries(backward)).toEqual(Object.fromEntries(forward));
    expect(forward.get('auth0|2')).toBe('chris');
    expect(new Set(forward.values()).size).toBe(4);
  });

  it('never gives a suffixed name that another request has as its own', () => {
    const clash = `alex-${idHash('auth0|second', 8)}`;
    const { names } = assignEntityNames(
      [
        { id: 'auth0|first', base: 'alex', priority: '1' },
        { id: 'auth0|second', base: 'alex', priority: '2' },
        { id: 'auth0|owner', base: clash, priority: '3' },
      ],
      'user',
    );
    expect(names.get('auth0|owner')).toBe(clash);
    expect(names.get('auth0|second')).toBe(
      `alex-${idHash('auth0|second', 12)}`,
    );
  });

  it('names a request with nothing usable after the fallback and its hash', () => {
    const { names, collisions } = assignEntityNames(
      [{ id: 'auth0|cjk', base: '', priority: '1' }],
      'user',
    );
    expect(names.get('auth0|cjk')).toBe(`user-${idHash('auth0|cjk', 8)}`);
    expect(collisions).toEqual([]);
  });

  it('shortens a long base so that the suffixed name has at most 63 characters', () => {
    const base = 'a'.repeat(63);
    const { names } = assignEntityNames(
      [
        { id: '1', base, priority: '1' },
        { id: '2', base, priority: '2' },
      ],
      'user',
    );
    expect(names.get('2')).toHaveLength(63);
    expect(names.get('2')).toBe(`${'a'.repeat(54)}-${idHash('2', 8)}`);
  });
});
