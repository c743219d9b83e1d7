// The command line of `yarn bench:ingestion`.

export const DEFAULT_SIZES = [1_000, 10_000, 100_000];
/** How long the catalog may take to serve every user of one size. */
export const DEFAULT_TIMEOUT_MINUTES = 60;

export type IngestionBenchOptions = {
  /** Synthetic users of the dev server, one measurement each, in this order. */
  sizes: number[];
  timeoutMinutes: number;
  /** Whether to rewrite the generated section of docs/benchmarks.md. */
  write: boolean;
  /** A results file of an earlier run to render instead of measuring. */
  from?: string;
  /**
   * Extra environment of the backend, to see what its time or memory is made of, e.g.
   * NODE_OPTIONS with a heap limit or PGOPTIONS with a PostgreSQL setting.
   */
  backendEnv?: Record<string, string>;
};

export const USAGE = `yarn bench:ingestion [--users 1000,10000,100000] [--timeout-minutes 60] [--no-write]
                     [--backend-env NAME=value]...
yarn bench:ingestion --from <results.json> [--no-write]

  --users            synthetic users of the dev server, one measurement per number
                     (or BENCH_INGESTION_USERS); default ${DEFAULT_SIZES.join(
                       ',',
                     )}
  --timeout-minutes  how long the catalog may take to serve all users of one size
                     (or BENCH_INGESTION_TIMEOUT_MINUTES); default ${DEFAULT_TIMEOUT_MINUTES}
  --no-write         print the results without rewriting docs/benchmarks.md
  --from             render the results file of an earlier run instead of measuring
  --backend-env      a variable for the backend, e.g. NODE_OPTIONS=--max-old-space-size=1024
                     or PGOPTIONS="-c plan_cache_mode=force_custom_plan", to see what the time
                     or the memory is made of; repeatable; the results name them`;

/** Sizes as written on the command line: `1000,10000`, `10k`, `100_000`. */
export function parseSizes(text: string): number[] {
  const sizes = text
    .split(',')
    .map(part => part.trim())
    .filter(Boolean)
    .map(part => {
      const match = /^(\d[\d_]*)(k?)$/i.exec(part);
      const value = match
        ? Number(match[1].replace(/_/g, '')) * (match[2] ? 1_000 : 1)
        : Number.NaN;
      if (!Number.isSafeInteger(value) || value < 1) {
        throw new Error(
          `--users: "${part}" is not a positive whole number of users`,
        );
      }
      return value;
    });
  if (sizes.length === 0) {
    throw new Error('--users: give at least one number of users');
  }
  return sizes;
}

function positiveNumber(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name}: "${text}" is not a positive number`);
  }
  return value;
}

/** The options from the arguments after the script's name, then the environment, then defaults. */
export function parseOptions(
  args: string[],
  env: Record<string, string | undefined>,
): IngestionBenchOptions {
  let sizes = env.BENCH_INGESTION_USERS
    ? parseSizes(env.BENCH_INGESTION_USERS)
    : DEFAULT_SIZES;
  let timeoutMinutes = env.BENCH_INGESTION_TIMEOUT_MINUTES
    ? positiveNumber(
        'BENCH_INGESTION_TIMEOUT_MINUTES',
        env.BENCH_INGESTION_TIMEOUT_MINUTES,
      )
    : DEFAULT_TIMEOUT_MINUTES;
  let write = true;
  let from: string | undefined;
  const backendEnv: Record<string, string> = {};
  for (let index = 0; index < args.length; index++) {
    const [flag, inline] = args[index].split(/=(.*)/s, 2);
    const value = () => {
      const next = inline ?? args[++index];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--users':
        sizes = parseSizes(value());
        break;
      case '--timeout-minutes':
        timeoutMinutes = positiveNumber(flag, value());
        break;
      case '--no-write':
        write = false;
        break;
      case '--from':
        from = value();
        break;
      case '--backend-env': {
        const [name, variable] = value().split(/=(.*)/s, 2);
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || variable === undefined) {
          throw new Error(`--backend-env: give NAME=value, not "${name}"`);
        }
        backendEnv[name] = variable;
        break;
      }
      default:
        throw new Error(`unknown argument ${args[index]}\n\n${USAGE}`);
    }
  }
  return {
    sizes,
    timeoutMinutes,
    write,
    ...(from && { from }),
    ...(Object.keys(backendEnv).length > 0 && { backendEnv }),
  };
}
