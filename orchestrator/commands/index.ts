import type { Command } from 'commander';

/** A CLI subcommand: one file each under orchestrator/commands, listed here. */
export interface CommandModule {
  register(program: Command): void;
}

import { synthCommand } from './synth';
import { emulatorCommand } from './emulator';
import { revocationsCommand } from './revocations';
import { payloadCommand } from './payload';
import { testLocalCommand } from './test-local';

export const commandModules: CommandModule[] = [synthCommand, emulatorCommand, revocationsCommand, payloadCommand, testLocalCommand];
