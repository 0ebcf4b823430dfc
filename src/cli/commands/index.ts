/** Every command module, in the order `isctl --help` lists them. */
import type { CommandModule } from '../command.js';

export const commandModules: CommandModule[] = [];
