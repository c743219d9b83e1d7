import { writeFile } from 'node:fs/promises';

/** The name of generated catalog user number `index` (1-based), e.g. `bench-000042`. */
export function benchUserName(index: number): string {
  return `bench-${String(index).padStart(6, '0')}`;
}

/** Writes User entities `from`..`to` (inclusive) as one multi-document YAML file. */
export async function writeCatalogUsers(
  file: string,
  from: number,
  to: number,
): Promise<void> {
  const documents: string[] = [];
  for (let index = from; index <= to; index++) {
    const name = benchUserName(index);
    documents.push(
      [
        'apiVersion: backstage.io/v1alpha1',
        'kind: User',
        'metadata:',
        `  name: ${name}`,
        'spec:',
        '  profile:',
        `    email: ${name}@example.com`,
        `    displayName: Bench User ${index}`,
        '  memberOf: []',
      ].join('\n'),
    );
  }
  await writeFile(file, `---\n${documents.join('\n---\n')}\n`);
}

/** Writes a fixture users file for the dev server with users 1..count. */
export async function writeAuth0Users(
  file: string,
  count: number,
): Promise<void> {
  const lines = ['password: password', 'users:'];
  for (let index = 1; index <= count; index++) {
    const name = benchUserName(index);
    lines.push(
      `  - id: ${name}`,
      `    email: ${name}@example.com`,
      '    email_verified: true',
      `    name: Bench User ${index}`,
      `    nickname: ${name}`,
    );
  }
  await writeFile(file, `${lines.join('\n')}\n`);
}

/** Writes a config file whose catalog reads examples/ and the generated user files. */
export async function writeCatalogConfig(
  file: string,
  userFiles: string[],
): Promise<string> {
  const locations = [
    { type: 'file', target: '../../examples/entities.yaml' },
    {
      type: 'file',
      target: '../../examples/org.yaml',
      rules: [{ allow: ['User', 'Group'] }],
    },
    ...userFiles.map(target => ({
      type: 'file',
      target,
      rules: [{ allow: ['User'] }],
    })),
  ];
  await writeFile(file, JSON.stringify({ catalog: { locations } }, null, 2));
  return file;
}
