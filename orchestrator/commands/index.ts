import type { Command } from 'commander';

/** A CLI subcommand: one file each under orchestrator/commands, listed here. */
export interface CommandModule {
  register(program: Command): void;
}

import { emulatorCommand } from './emulator';
import { revocationsCommand } from './revocations';

export const commandModules: CommandModule[] = [emulatorCommand, revocationsCommand];
