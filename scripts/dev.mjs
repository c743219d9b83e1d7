// `yarn dev`: the backend on :7007 and the app on :3000, with the variables from
// ./.env (variables already set in the shell win over the file).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const envFile = `${repoRoot}.env`;

if (existsSync(envFile)) {
  process.loadEnvFile(envFile);
  console.log('dev: loaded variables from .env');
} else {
  console.log('dev: no .env file; running on the defaults in app-config.yaml');
}

const stack = spawn('yarn', ['backstage-cli', 'repo', 'start'], {
  cwd: repoRoot,
  stdio: 'inherit',
  env: process.env,
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => stack.kill(signal));
}
stack.on('exit', (code, signal) => {
  process.exit(code ?? (signal ? 1 : 0));
});
