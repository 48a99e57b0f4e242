#!/usr/bin/env node
/** The package's command line: `caffe2-webgpu draw …` (see draw_command.ts). */
import { DRAW_USAGE, DrawCommandError, drawCommand } from './draw_command.js';

const [command, ...rest] = process.argv.slice(2);
if (command === 'draw') {
  drawCommand(rest).catch((e: unknown) => {
    // Usage and input mistakes print as a plain message; anything else keeps its stack for a bug report.
    process.stderr.write(`caffe2-webgpu draw: ${e instanceof DrawCommandError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
} else {
  process.stderr.write(`${command === undefined ? '' : `unknown command "${command}"\n`}commands:\n  ${DRAW_USAGE.replace(/\n/g, '\n  ')}\n`);
  process.exitCode = command === undefined || command === '--help' || command === '-h' ? 0 : 1;
}
