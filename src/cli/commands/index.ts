/** Every command module, in the order `isctl --help` lists them. */
import type { CommandModule } from '../command.js';
import { getCommand } from './get.js';
import { describeCommand } from './describe.js';
import { createCommand } from './create.js';
import { applyCommand } from './apply.js';
import { deleteCommand } from './delete.js';
import { setImageLookupCommand } from './set-image-lookup.js';
import { importImageCommand } from './import-image.js';
import { tagCommand } from './tag.js';
import { refreshCommand } from './refresh.js';
import { completionCommand } from './completion.js';
import { graphCommand } from './graph.js';
import { explainCommand } from './explain.js';
import { setTriggersCommand } from './set-triggers.js';
import { rolloutCommand } from './rollout.js';
import { serveCommand } from './serve.js';

export const commandModules: CommandModule[] = [
  getCommand,
  describeCommand,
  createCommand,
  applyCommand,
  deleteCommand,
  setImageLookupCommand,
  importImageCommand,
  tagCommand,
  refreshCommand,
  completionCommand,
  graphCommand,
  explainCommand,
  setTriggersCommand,
  rolloutCommand,
  serveCommand,
];
