import type { BenchResult } from './results';

/**
 * `--baseline <file>` (or `--baseline=<file>`) taken out of the arguments, else the
 * BENCH_BASELINE variable: an earlier run's results file whose breakdown the report shows
 * beside this run's.
 */
export function baselineOption(
  args: string[],
  env: Record<string, string | undefined>,
): { baseline?: string; rest: string[] } {
  const rest: string[] = [];
  let baseline = env.BENCH_BASELINE || undefined;
  for (let index = 0; index < args.length; index++) {
    const [flag, inline] = args[index].split(/=(.*)/s, 2);
    if (flag !== '--baseline') {
      rest.push(args[index]);
      continue;
    }
    baseline = inline ?? args[++index];
    if (!baseline) throw new Error('--baseline needs a results file');
  }
  return { ...(baseline && { baseline }), rest };
}

/** A run's results file, checked to be one (a wrong file fails here, not in the report). */
export async function readResult(
  file: string,
  read: (file: string, encoding: 'utf8') => Promise<string>,
): Promise<BenchResult> {
  const result = JSON.parse(await read(file, 'utf8'));
  if (!result?.modules?.['this-repo'] || !result?.modules?.upstream) {
    throw new Error(`${file} is not the results file of a \`yarn bench\` run`);
  }
  return result;
}
