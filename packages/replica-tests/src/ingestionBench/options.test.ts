import { DEFAULT_SIZES, parseOptions, parseSizes } from './options';

describe('parseSizes', () => {
  it('takes a comma-separated list, with k for thousands and _ between digits', () => {
    expect(parseSizes('1000,10k, 100_000')).toEqual([1_000, 10_000, 100_000]);
  });

  it('refuses what is not a positive whole number', () => {
    expect(() => parseSizes('1000,abc')).toThrow(
      '--users: "abc" is not a positive whole number of users',
    );
    expect(() => parseSizes('0')).toThrow('"0" is not a positive');
    expect(() => parseSizes('1.5k')).toThrow('"1.5k" is not a positive');
    expect(() => parseSizes(' , ')).toThrow('give at least one number');
  });
});

describe('parseOptions', () => {
  it('measures 1,000, 10,000 and 100,000 users and writes the document by default', () => {
    expect(parseOptions([], {})).toEqual({
      sizes: DEFAULT_SIZES,
      timeoutMinutes: 60,
      write: true,
    });
    expect(DEFAULT_SIZES).toEqual([1_000, 10_000, 100_000]);
  });

  it('takes flags, with a space or =, over the environment', () => {
    const env = {
      BENCH_INGESTION_USERS: '5000',
      BENCH_INGESTION_TIMEOUT_MINUTES: '30',
    };
    expect(parseOptions([], env)).toEqual({
      sizes: [5_000],
      timeoutMinutes: 30,
      write: true,
    });
    expect(
      parseOptions(
        ['--users', '1000', '--timeout-minutes=5', '--no-write'],
        env,
      ),
    ).toEqual({ sizes: [1_000], timeoutMinutes: 5, write: false });
    expect(parseOptions(['--from', '/tmp/results.json'], {})).toMatchObject({
      from: '/tmp/results.json',
    });
  });

  it('takes variables for the backend, keeping = and spaces in their values', () => {
    expect(
      parseOptions(
        [
          '--backend-env',
          'PGOPTIONS=-c plan_cache_mode=force_custom_plan',
          '--backend-env=NODE_OPTIONS=--max-old-space-size=512',
        ],
        {},
      ).backendEnv,
    ).toEqual({
      PGOPTIONS: '-c plan_cache_mode=force_custom_plan',
      NODE_OPTIONS: '--max-old-space-size=512',
    });
    expect(() => parseOptions(['--backend-env', 'NOVALUE'], {})).toThrow(
      '--backend-env: give NAME=value, not "NOVALUE"',
    );
  });

  it('refuses unknown arguments and flags without their value', () => {
    expect(() => parseOptions(['--user', '1000'], {})).toThrow(
      'unknown argument --user',
    );
    expect(() => parseOptions(['--users'], {})).toThrow(
      '--users needs a value',
    );
    expect(() => parseOptions(['--timeout-minutes', '-1'], {})).toThrow(
      '--timeout-minutes: "-1" is not a positive number',
    );
  });
});
