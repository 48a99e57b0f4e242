#!/usr/bin/env node
/**
 * The package's command line: `caffe2-webgpu draw …` draws a saved net; `caffe2-webgpu bench …` runs
 * the benchmark; `caffe2-webgpu make_mnist_db …` turns MNIST IDX files into a DB.
 */
import { DRAW_USAGE, DrawCommandError, drawCommand } from './viz/draw_command.js';
import { MAKE_MNIST_DB_USAGE, MakeMnistDbError, makeMnistDbCommand } from './proto/make_mnist_db_command.js';
import { ownVersion } from './version_node.js';
import { buildToyRegression } from './models/toy_regression.js';
// The example net is built through the operator registry, so every operator must be registered.
import './ops/all.js';

const USAGE = `usage: caffe2-webgpu <draw|bench|make_mnist_db> [options]
       caffe2-webgpu --version | --help

${DRAW_USAGE}

${MAKE_MNIST_DB_USAGE}

usage: caffe2-webgpu bench [options]   (the benchmark against tfjs-webgpu; bench --help lists them)
`;

/** Reports a failed command on stderr; usage and input mistakes print as a plain message, anything else keeps its stack for a bug report. */
function failed(command: string, e: unknown, mistake: boolean): number {
  process.stderr.write(`caffe2-webgpu ${command}: ${mistake && e instanceof Error ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return 1;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === '--version' || command === '-v' || command === '-V') {
    process.stdout.write(`caffe2-webgpu ${ownVersion()}\n`);
    return 0;
  }
  if (command === 'draw') {
    try {
      await drawCommand(rest, { stdout: (t) => process.stdout.write(t), example: () => buildToyRegression().train.Proto() });
      return 0;
    } catch (e) {
      return failed('draw', e, e instanceof DrawCommandError);
    }
  }
  if (command === 'make_mnist_db') {
    try {
      await makeMnistDbCommand(rest, { stdout: (t) => process.stdout.write(t) });
      return 0;
    } catch (e) {
      return failed('make_mnist_db', e, e instanceof MakeMnistDbError);
    }
  }
  if (command === 'bench') {
    // The bench pulls in tfjs: load it only for this command.
    const benchModule = '../bench/cli.js';
    const { benchCommand } = (await import(benchModule)) as { benchCommand: (args: string[]) => Promise<number> };
    return benchCommand(rest);
  }
  // No command, or one we do not know: a mistake, so the usage goes to stderr with a failing code.
  process.stderr.write(`${command === undefined ? 'no command given' : `unknown command "${command}"`}\n${USAGE}`);
  return 1;
}

process.exitCode = await main(process.argv.slice(2));
