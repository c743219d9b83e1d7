import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { smallRun } from './__fixtures__/smallRun';
import { baselineOption, readResult } from './baseline';
import { SECTION_END, SECTION_START } from './render';
import { writeReport } from './writeReport';

describe('writeReport', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bench-report-test-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('rewrites the section, draws the charts beside the document and shows a baseline', async () => {
    const docFile = join(dir, 'benchmarks.md');
    await writeFile(
      docFile,
      `# Benchmarks\n\n${SECTION_START}\nold\n${SECTION_END}\n\nProse.\n`,
    );
    const previous = smallRun();
    previous.startedAt = '2025-12-01T00:00:00.000Z';

    const table = await writeReport(smallRun(), docFile, previous);

    expect(table.split('\n')[0]).toMatch(/^measure/);
    const document = await readFile(docFile, 'utf8');
    expect(document).toMatch(/^# Benchmarks\n\n<!-- bench-report:start/);
    expect(document).toMatch(/<!-- bench-report:end -->\n\nProse\.\n$/);
    expect(document).toContain(
      'this repo, baseline: the run of 2025-12-01T00:00:00.000Z',
    );
    expect((await readdir(join(dir, 'images/bench'))).sort()).toEqual([
      'page-load.svg',
      'refresh-latency.svg',
      'sessions-surviving.svg',
      'sign-in-callback.svg',
    ]);
    for (const file of [
      'refresh-latency.svg',
      'sessions-surviving.svg',
      'sign-in-callback.svg',
    ]) {
      expect(document).toContain(`(images/bench/${file})`);
      expect(await readFile(join(dir, 'images/bench', file), 'utf8')).toMatch(
        /^<svg /,
      );
    }
  });
});

describe('baselineOption', () => {
  it('takes --baseline out of the arguments, else BENCH_BASELINE', () => {
    expect(baselineOption(['run.json', '--baseline', 'old.json'], {})).toEqual({
      baseline: 'old.json',
      rest: ['run.json'],
    });
    expect(baselineOption(['--baseline=old.json'], {})).toEqual({
      baseline: 'old.json',
      rest: [],
    });
    expect(
      baselineOption(['run.json'], { BENCH_BASELINE: 'env.json' }),
    ).toEqual({ baseline: 'env.json', rest: ['run.json'] });
    expect(baselineOption(['run.json'], { BENCH_BASELINE: '' })).toEqual({
      rest: ['run.json'],
    });
    expect(() => baselineOption(['--baseline'], {})).toThrow(
      '--baseline needs a results file',
    );
  });
});

describe('readResult', () => {
  it('refuses a file that is not a bench run’s results', async () => {
    const read = async () => JSON.stringify({ sizes: [] });
    await expect(readResult('ingestion.json', read)).rejects.toThrow(
      'ingestion.json is not the results file of a `yarn bench` run',
    );
    const run = smallRun();
    await expect(
      readResult('run.json', async () => JSON.stringify(run)),
    ).resolves.toEqual(run);
  });
});
