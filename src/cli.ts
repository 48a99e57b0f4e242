#!/usr/bin/env node
/** The package's command line: `caffe2-webgpu draw …` draws a saved net; `caffe2-webgpu bench …` runs the benchmark. */
import { DRAW_USAGE, DrawCommandError, drawCommand } from './viz/draw_command.js';

const USAGE = `commands:
  ${DRAW_USAGE.replace(/\n/g, '\n  ')}
  caffe2-webgpu bench --help   (the benchmark against tfjs-webgpu; see bench/RESULTS.md)
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'draw') {
    try {
      await drawCommand(rest);
      return 0;
    } catch (e) {
      // Usage and input mistakes print as a plain message; anything else keeps its stack for a bug report.
      process.stderr.write(`caffe2-webgpu draw: ${e instanceof DrawCommandError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      return 1;
    }
  }
  if (command === 'bench') {
    // The bench pulls in tfjs: load it only for this command.
    const benchModule = '../bench/cli.js';
    const { benchCommand } = (await import(benchModule)) as { benchCommand: (args: string[]) => Promise<number> };
    return benchCommand(rest);
  }
  process.stderr.write(`${command === undefined || command === '--help' || command === '-h' ? '' : `unknown command "${command}"\n`}${USAGE}`);
  return command === undefined || command === '--help' || command === '-h' ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
