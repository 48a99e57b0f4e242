/** The output-shape rule every Caffe2 filler shares (shape / extra_shape / input_as_shape). */
import type { DType } from '../core/dtype.js';
import { fmtShape } from '../core/errors.js';
import { arg, type ArgSchema } from './args.js';
import type { OpContext } from './registry.js';

/** Schema entries every filler accepts. */
export const fillShapeArgs = {
  shape: arg.ints(),
  extra_shape: arg.ints(),
  input_as_shape: arg.bool(0),
} as const;

type FillArgs = { shape?: readonly number[]; extra_shape?: readonly number[]; input_as_shape: number };

/** Output shape of a fill op, decided from its arguments and optional input (Caffe2 §3.1). */
export function fillShape<S extends ArgSchema>(ctx: OpContext<S>): number[] {
  const a = ctx.args as unknown as FillArgs;
  const extra = a.extra_shape ?? [];
  let shape: number[];
  if (ctx.inputs.length === 0) {
    if (a.extra_shape !== undefined) ctx.argError('extra_shape needs an input (it extends the input\'s shape)');
    if (a.input_as_shape) ctx.argError('input_as_shape=1 needs an input holding the shape');
    shape = [...(a.shape ?? [])];
  } else {
    if (a.shape !== undefined) ctx.argError('give either an input or the shape argument, not both');
    const input = ctx.inputs[0]!;
    if (a.input_as_shape) {
      if (input.dtype !== 'int32' || input.shape.length !== 1 || input.shape[0] === 0) {
        ctx.shapeError(`with input_as_shape=1, input ${ctx.op.input[0]} must be a non-empty 1-d int tensor, got ${input.dtype} ${fmtShape(input.shape)}`);
      }
      if (!input.hostValues) {
        ctx.shapeError(
          `with input_as_shape=1, the values of input ${ctx.op.input[0]} must be known when the net is planned: feed it with FeedBlob (a GPU op's output is only known after the run)`,
        );
      }
      shape = Array.from(input.hostValues!);
    } else {
      shape = [...input.shape];
    }
    shape.push(...extra);
  }
  const bad = shape.find((d) => !Number.isInteger(d) || d < 0);
  if (bad !== undefined) ctx.argError(`shape ${fmtShape(shape)} has an invalid dimension ${bad} (dimensions are non-negative integers)`);
  return shape;
}

/** u32 bit pattern of a word filled with a value of a dtype (uint8: the byte four times), for kernels that fill raw words. */
export function valueBits(value: number, dtype: DType): number {
  if (dtype === 'uint8') return ((value & 0xff) * 0x01010101) >>> 0;
  return dtype === 'float32' ? new Uint32Array(new Float32Array([value]).buffer)[0]! : value >>> 0;
}
