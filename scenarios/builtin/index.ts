import type { ScenarioConfig } from '../config.js';
import { defaultScenario } from './default.js';
import { mixedScenario } from './mixed.js';

/** Scenarios that ship with pushsim, by name (`pushsim run <name>`). */
export const builtinScenarios: Readonly<Record<string, ScenarioConfig>> = {
  default: defaultScenario,
  mixed: mixedScenario,
};
