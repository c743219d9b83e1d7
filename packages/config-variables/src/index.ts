export {
  configFilesOfCommand,
  readConfigVariables,
  type ConfigVariable,
} from './configVariables.ts';
