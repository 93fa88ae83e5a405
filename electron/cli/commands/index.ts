import type { Command } from '../command.ts';
import { emergencyStop, pause, resume, safeMode, unpause } from './control.ts';
import { status } from './status.ts';

/** Every command, in the order --help lists them. */
export const COMMANDS: Command[] = [status, emergencyStop, resume, safeMode, pause, unpause];
