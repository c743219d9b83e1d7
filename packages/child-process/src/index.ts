export {
  startProcess,
  type ProcessExit,
  type ProcessOptions,
  type Readiness,
  type StartedProcess,
} from './childProcess.ts';
