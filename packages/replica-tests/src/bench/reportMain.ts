// `yarn workspace @internal/replica-tests bench:report <raw.json> [document]`: the report step
// of `yarn bench` alone, on the raw samples a run saved (its log names the file). Rewrites the
// generated section of docs/benchmarks.md (or of `document`) and prints the table.
import { readFile } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import { repoRoot } from './machine';
import type { BenchResult } from './results';
import { writeReport } from './writeReport';

async function main() {
  const [rawFile, docFile] = process.argv.slice(2);
  if (!rawFile) {
    throw new Error(
      'usage: yarn workspace @internal/replica-tests bench:report <raw samples .json> [document .md]',
    );
  }
  const result: BenchResult = JSON.parse(await readFile(rawFile, 'utf8'));
  const target = docFile
    ? resolvePath(process.env.INIT_CWD ?? process.cwd(), docFile)
    : resolvePath(repoRoot, 'docs/benchmarks.md');
  const table = await writeReport(result, target);
  process.stdout.write(`${table}\n`);
  process.stderr.write(`wrote the generated section of ${target}\n`);
}

main().catch(error => {
  process.stderr.write(`bench:report failed: ${error?.stack ?? error}\n`);
  process.exit(1);
});
