/** The shared `set` parent command; `set image-lookup`, `set triggers`… register under it. */
import type { Command } from 'commander';

/** Returns the `set` command of `program`, creating it the first time. */
export function ensureSetCommand(program: Command): Command {
  const existing = program.commands.find((c) => c.name() === 'set');
  if (existing) return existing;
  return program.command('set').description('Commands that help set specific features on objects');
}
