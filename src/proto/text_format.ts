/**
 * Protobuf text format of NetDef and OperatorDef, as Python prints them (`print(net.Proto())`,
 * `print(str(op))`): fields in field-number order, set fields only, nested messages indented by two
 * spaces, floats in Python's shortest form.
 */
import type { Argument, DeviceOption, NetDef, OperatorDef } from '../core/netdef.js';
import { formatFloat32 } from '../core/numpy_format.js';

/** A text-format string literal: C escapes for quotes, backslashes and control bytes. */
function quote(s: string): string {
  const escaped = [...new TextEncoder().encode(s)]
    .map((b) => {
      if (b === 0x22) return '\\"';
      if (b === 0x27) return "\\'";
      if (b === 0x5c) return '\\\\';
      if (b === 0x0a) return '\\n';
      if (b === 0x0d) return '\\r';
      if (b === 0x09) return '\\t';
      return b < 0x20 || b >= 0x7f ? `\\${b.toString(8).padStart(3, '0')}` : String.fromCharCode(b);
    })
    .join('');
  return `"${escaped}"`;
}

type Line = string | Line[];

function message(name: string, body: Line[]): Line[] {
  return [`${name} {`, body, '}'];
}

function argLines(a: Argument): Line[] {
  const out: Line[] = [`name: ${quote(a.name)}`];
  if (a.f !== undefined) out.push(`f: ${formatFloat32(a.f)}`);
  if (a.i !== undefined) out.push(`i: ${a.i}`);
  if (a.s !== undefined) out.push(`s: ${quote(a.s)}`);
  for (const v of a.floats ?? []) out.push(`floats: ${formatFloat32(v)}`);
  for (const v of a.ints ?? []) out.push(`ints: ${v}`);
  for (const v of a.strings ?? []) out.push(`strings: ${quote(v)}`);
  return out;
}

function deviceLines(d: DeviceOption): Line[] {
  const out: Line[] = [`device_type: ${d.device_type}`];
  if (d.device_id !== undefined) out.push(`device_id: ${d.device_id}`);
  if (d.random_seed !== undefined) out.push(`random_seed: ${d.random_seed}`);
  if (d.node_name !== undefined) out.push(`node_name: ${quote(d.node_name)}`);
  if (d.numa_node_id !== undefined) out.push(`numa_node_id: ${d.numa_node_id}`);
  for (const e of d.extra_info ?? []) out.push(`extra_info: ${quote(e)}`);
  return out;
}

function opLines(op: OperatorDef): Line[] {
  const out: Line[] = [];
  for (const i of op.input) out.push(`input: ${quote(i)}`);
  for (const o of op.output) out.push(`output: ${quote(o)}`);
  if (op.name !== undefined) out.push(`name: ${quote(op.name)}`);
  out.push(`type: ${quote(op.type)}`);
  for (const a of op.arg) out.push(...message('arg', argLines(a)));
  if (op.device_option) out.push(...message('device_option', deviceLines(op.device_option)));
  if (op.engine !== undefined) out.push(`engine: ${quote(op.engine)}`);
  for (const c of op.control_input ?? []) out.push(`control_input: ${quote(c)}`);
  if (op.is_gradient_op) out.push('is_gradient_op: true');
  return out;
}

function netLines(net: NetDef): Line[] {
  const out: Line[] = [`name: ${quote(net.name)}`];
  for (const op of net.op) out.push(...message('op', opLines(op)));
  if (net.type !== undefined) out.push(`type: ${quote(net.type)}`);
  if (net.device_option) out.push(...message('device_option', deviceLines(net.device_option)));
  for (const a of net.arg ?? []) out.push(...message('arg', argLines(a)));
  for (const i of net.external_input) out.push(`external_input: ${quote(i)}`);
  for (const o of net.external_output) out.push(`external_output: ${quote(o)}`);
  return out;
}

function render(lines: Line[], indent = ''): string {
  return lines.map((l) => (typeof l === 'string' ? `${indent}${l}\n` : render(l, `${indent}  `))).join('');
}

/** A NetDef in protobuf text format (what Python's `print(net.Proto())` shows). */
export function netDefToText(net: NetDef): string {
  return render(netLines(net));
}

/** An OperatorDef in protobuf text format (what Python's `print(str(op))` shows). */
export function operatorDefToText(op: OperatorDef): string {
  return render(opLines(op));
}
