/**
 * `caffe2-webgpu draw <net.json>`: draws a saved NetDef (JSON) to SVG or DOT. Node only (reads and
 * writes files); the drawing itself is net_drawer's.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { NetDef, OperatorDef } from '../core/netdef.js';
import { netToDot, netToSvg, type NetDrawOptions } from './net_drawer.js';
import { decodeNetDef } from '../proto/codec.js';
import { Caffe2Error } from '../core/errors.js';

export const DRAW_USAGE = `usage: caffe2-webgpu draw <net.json|net.pb|--example> [--out file.svg|file.dot] [--format svg|dot]
                          [--rankdir LR|TB|RL|BT] [--minimal | --minimal-dependency] [--name NAME]
Draws a NetDef saved as JSON ({name, op: [{type, input, output, name?, is_gradient_op?}], ...})
or as Caffe2's binary protobuf (a .pb file such as predict_net.pb; net.ProtoBytes() writes one).
--example draws the Toy Regression tutorial's train net instead of a file.
Without --out the drawing goes to standard output (SVG unless --format dot).`;

/** A mistake in the command line or the input file: the message is for the user as is. */
export class DrawCommandError extends Error {
  override name = 'DrawCommandError';
}

/** Where the command writes when no --out is given, and the net `--example` draws. */
export interface DrawOutput {
  stdout(text: string): void;
  /** The example net; the package bin passes the Toy Regression train net (models/ sits above viz/). */
  example?: () => NetDef;
}

interface DrawArgs {
  /** A path, or null for the built-in example net. */
  file: string | null;
  out?: string;
  format?: 'svg' | 'dot';
  options: NetDrawOptions;
}

function parseArgs(args: readonly string[]): DrawArgs | 'help' {
  const options: NetDrawOptions = {};
  let file: string | undefined;
  let example = false;
  let out: string | undefined;
  let format: 'svg' | 'dot' | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new DrawCommandError(`${a} needs a value\n${DRAW_USAGE}`);
      return v;
    };
    if (a === '-h' || a === '--help') return 'help';
    else if (a === '--out' || a === '-o') out = value();
    else if (a === '--name') options.name = value();
    else if (a === '--example') example = true;
    else if (a === '--minimal') options.minimal = true;
    else if (a === '--minimal-dependency') options.minimal = 'dependency';
    else if (a === '--rankdir') {
      const r = value().toUpperCase();
      if (r !== 'LR' && r !== 'TB' && r !== 'RL' && r !== 'BT') throw new DrawCommandError(`--rankdir must be LR, TB, RL or BT, got "${r}"`);
      options.rankdir = r;
    } else if (a === '--format') {
      const f = value().toLowerCase();
      if (f !== 'svg' && f !== 'dot') throw new DrawCommandError(`--format must be svg or dot, got "${f}"`);
      format = f;
    } else if (a.startsWith('-')) throw new DrawCommandError(`unknown option ${a}\n${DRAW_USAGE}`);
    else if (file === undefined) file = a;
    else throw new DrawCommandError(`only one net file can be drawn at a time (got "${file}" and "${a}")`);
  }
  if (example && file !== undefined) throw new DrawCommandError(`--example draws the built-in net: give it or a file ("${file}"), not both`);
  if (file === undefined && !example) throw new DrawCommandError(`no net file given (or --example for the tutorial's net)\n${DRAW_USAGE}`);
  return { file: file ?? null, options, ...(out !== undefined ? { out } : {}), ...(format !== undefined ? { format } : {}) };
}

function stringList(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new DrawCommandError(`${where} must be a list of blob names`);
  return value as string[];
}

/**
 * A NetDef from parsed JSON. Protobuf's JSON form omits empty lists and spells fields in camelCase
 * (isGradientOp, externalInput), so both spellings are read and missing lists are empty.
 */
export function netDefFromJson(json: unknown, source: string): NetDef {
  const obj = json as Record<string, unknown> | null;
  if (typeof obj !== 'object' || obj === null || !Array.isArray(obj.op)) {
    throw new DrawCommandError(`${source}: expected a NetDef object with an "op" list`);
  }
  const op = obj.op.map((raw: unknown, i): OperatorDef => {
    const o = raw as Record<string, unknown> | null;
    if (typeof o !== 'object' || o === null || typeof o.type !== 'string' || o.type === '') {
      throw new DrawCommandError(`${source}: op ${i} has no "type"`);
    }
    const gradient = o.is_gradient_op ?? o.isGradientOp;
    return {
      type: o.type,
      input: stringList(o.input, `${source}: op ${i} (${o.type}) "input"`),
      output: stringList(o.output, `${source}: op ${i} (${o.type}) "output"`),
      arg: [],
      ...(typeof o.name === 'string' && o.name !== '' ? { name: o.name } : {}),
      ...(gradient === true ? { is_gradient_op: true } : {}),
    };
  });
  return {
    name: typeof obj.name === 'string' && obj.name !== '' ? obj.name : basename(source, extname(source)),
    op,
    external_input: stringList(obj.external_input ?? obj.externalInput, `${source}: "external_input"`),
    external_output: stringList(obj.external_output ?? obj.externalOutput, `${source}: "external_output"`),
  };
}

function netDefFromText(text: string, file: string): NetDef {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new DrawCommandError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  return netDefFromJson(json, file);
}

/** A binary NetDef; ops need not be registered here, since drawing runs nothing. */
function netDefFromPb(bytes: Uint8Array, file: string): NetDef {
  try {
    return decodeNetDef(bytes, { checkOps: false });
  } catch (e) {
    if (e instanceof Caffe2Error) throw new DrawCommandError(`${file}: ${e.message}`);
    throw e;
  }
}

/** A saved net: binary NetDef for .pb, JSON otherwise. */
async function readNet(file: string): Promise<NetDef> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new DrawCommandError(`cannot read ${file}: ${(e as Error).message}`);
  }
  return extname(file).toLowerCase() === '.pb' ? netDefFromPb(bytes, file) : netDefFromText(bytes.toString('utf8'), file);
}

/** Runs `draw` with the arguments after the subcommand; resolves when the output is written. */
export async function drawCommand(args: readonly string[], output: DrawOutput = { stdout: (t) => process.stdout.write(t) }): Promise<void> {
  const parsed = parseArgs(args);
  if (parsed === 'help') {
    output.stdout(`${DRAW_USAGE}\n`);
    return;
  }
  if (parsed.file === null && !output.example) throw new DrawCommandError('--example is not available here: no example net was provided');
  const net = parsed.file === null ? output.example!() : await readNet(parsed.file);
  const ext = parsed.out === undefined ? '' : extname(parsed.out).toLowerCase();
  if (parsed.format === undefined && parsed.out !== undefined && ext !== '.svg' && ext !== '.dot' && ext !== '.gv') {
    throw new DrawCommandError(`cannot tell the format from "${parsed.out}": name it .svg or .dot, or pass --format`);
  }
  const format = parsed.format ?? (ext === '.dot' || ext === '.gv' ? 'dot' : 'svg');
  const drawing = format === 'dot' ? netToDot(net, parsed.options) : await netToSvg(net, parsed.options);
  if (parsed.out === undefined || parsed.out === '-') {
    output.stdout(drawing);
    return;
  }
  await writeFile(parsed.out, drawing);
  const name = parsed.options.name ?? net.name;
  output.stdout(`wrote ${parsed.out} (${format.toUpperCase()}: net "${name}", ${net.op.length} op${net.op.length === 1 ? '' : 's'})\n`);
}
