/**
 * NetDefs and OperatorDefs the builder makes print as Python prints the protobuf (text format), in
 * `String(...)`, template strings and Node's console.log, so a tutorial's `print(net.Proto())` ports
 * as `console.log(net.Proto())`. The methods are non-enumerable: the objects stay plain data for
 * JSON, spreads and equality.
 */
import type { NetDef, OperatorDef } from '../core/netdef.js';
import { netDefToText, operatorDefToText } from '../proto/text_format.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

function printsAs<T extends object>(obj: T, text: (o: T) => string): T {
  const show = (): string => text(obj);
  Object.defineProperty(obj, 'toString', { value: show, enumerable: false, configurable: true, writable: true });
  Object.defineProperty(obj, INSPECT, { value: show, enumerable: false, configurable: true, writable: true });
  return obj;
}

/** The NetDef, printing as protobuf text. */
export function printableNetDef(net: NetDef): NetDef {
  return printsAs(net, netDefToText);
}

/** The OperatorDef, printing as protobuf text. */
export function printableOperatorDef(op: OperatorDef): OperatorDef {
  return printsAs(op, operatorDefToText);
}
