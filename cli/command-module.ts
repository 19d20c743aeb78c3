import type { Command } from 'commander';

/** A CLI subcommand: one file each under cli/, listed in cli/index.ts. */
export interface CommandModule {
  register(program: Command): void;
}
