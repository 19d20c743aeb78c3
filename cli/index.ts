import type { CommandModule } from './command-module';

import { synthCommand } from './synth';
import { emulatorCommand } from './emulator';
import { revocationsCommand } from './revocations';
import { payloadCommand } from './payload';
import { testLocalCommand } from './test-local';
import { deployCommand } from './deploy';
import { verifyCommand } from './verify';
import { promoteCommand } from './promote';
import { statusCommand } from './status';
import { demoCommand } from './demo';
import { lintCommand } from './lint';
import { runTaskCommand } from './run-task';
import { approveCommand } from './approve';
import { initCommand } from './init';
import { iamPolicyCommand } from './iam-policy';
import { doctorCommand } from './doctor';
import { planCommand } from './plan';
import { replayCommand } from './replay';
import { fuzzCommand } from './fuzz';

export const commandModules: CommandModule[] = [
  initCommand, demoCommand, deployCommand, verifyCommand, promoteCommand, statusCommand,
  approveCommand, synthCommand, testLocalCommand, fuzzCommand, lintCommand, payloadCommand, revocationsCommand, emulatorCommand, runTaskCommand,
  doctorCommand, iamPolicyCommand, planCommand, replayCommand,
];
