// `yarn workspace @internal/replica-tests bench:report <raw.json> [document] [--baseline <raw.json>]`:
// the report step of `yarn bench` alone, on the raw samples a run saved (its log names the
// file). Rewrites the generated section of docs/benchmarks.md (or of `document`) and the
// charts beside it, and prints the table. `--baseline` (or BENCH_BASELINE) names an earlier
// run's file whose breakdown is shown beside this run's.
import { readFile } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { repoRoot } from './machine';
import { baselineOption, readResult } from './baseline';
import { writeReport } from './writeReport';

const USAGE =
  'usage: yarn workspace @internal/replica-tests bench:report <raw samples .json> [document .md] [--baseline <raw samples .json>]';

async function main() {
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const { baseline, rest } = baselineOption(process.argv.slice(2), process.env);
  const [rawFile, docFile] = rest;
  if (!rawFile || rest.length > 2) throw new Error(USAGE);
  const result = await readResult(resolvePath(cwd, rawFile), readFile);
  const previous = baseline
    ? await readResult(resolvePath(cwd, baseline), readFile)
    : undefined;
  const target = docFile
    ? resolvePath(cwd, docFile)
    : resolvePath(repoRoot, 'docs/benchmarks.md');
  const table = await writeReport(result, target, previous);
  process.stdout.write(`${table}\n`);
  process.stderr.write(`wrote the generated section of ${target}\n`);
}

main().catch(error => {
  process.stderr.write(`bench:report failed: ${error?.stack ?? error}\n`);
  process.exit(1);
});
