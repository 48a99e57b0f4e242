/** Adagrad: per-element learning rates from the accumulated squared gradients. */
import { arg } from './args.js';
import { requireFloatsOfOneSize, requireScalarInput } from './optimizer_common.js';
import { defineOp, type BindingSource } from './registry.js';
import { linearWorkgroups } from './shape.js';

const IN_PLACE = [
  [0, 0],
  [1, 1],
] as const;

export const Adagrad = defineOp({
  type: 'Adagrad',
  doc:
    '[param, moment, grad, lr] -> [param, moment] (in place), optionally [effective_lr] and [update] outputs. ' +
    'h = decay·h + g²; param += lr·g/(sqrt(h)+ε) (lr negative); effective_lr = lr/(sqrt(h)+ε), update = effective_lr·g.',
  inputs: ['param', 'moment', 'grad', 'lr'],
  outputs: ['output_param', 'output_moment', 'output_effective_lr', 'output_update'],
  outputCount: [2, 4],
  args: { epsilon: arg.float(1e-5), decay: arg.float(1.0) },
  inPlace: IN_PLACE,
  shouldNotDoGradient: 'an optimizer update is not differentiated',
  inferShape(ctx) {
    requireFloatsOfOneSize(ctx, [0, 1, 2]);
    requireScalarInput(ctx, 3, 'float32', 'the learning rate');
    const shapes = [ctx.inputs[0]!.shape, ctx.inputs[1]!.shape, ctx.inputs[2]!.shape, ctx.inputs[2]!.shape];
    return shapes.slice(0, ctx.op.output.length).map((shape) => ({ shape, dtype: 'float32' as const }));
  },
  kernels(ctx) {
    const n = requireFloatsOfOneSize(ctx, [0, 1, 2]);
    const extra = ctx.op.output.length - 2;
    const optional = (o: number, name: string): BindingSource => (o < ctx.op.output.length ? { output: o } : { scratch: name, bytes: 4 });
    // Pointwise: in place, the planner reads param and moment through the output bindings.
    return [
      {
        shader: 'adagrad.wgsl',
        bindings: {
          P_IN: { input: 0 },
          H_IN: { input: 1 },
          P: { output: 0 },
          H: { output: 1 },
          G: { input: 2 },
          LR: { input: 3 },
          ELR: optional(2, 'no_effective_lr'),
          UPD: optional(3, 'no_update'),
        },
        uniforms: { n, epsilon: ctx.args.epsilon, decay: ctx.args.decay, extra },
        workgroups: linearWorkgroups(n),
        pointwise: true,
      },
    ];
  },
  reference([param, moment, grad, lr], args) {
    const [eps, decay] = [Math.fround(args.epsilon), Math.fround(args.decay)];
    const n = param!.data.length;
    const [p, h, e, u] = [Float64Array.from(param!.data), new Float64Array(n), new Float64Array(n), new Float64Array(n)];
    for (let i = 0; i < n; i++) {
      const g = grad!.data[i]!;
      h[i] = decay * moment!.data[i]! + g * g;
      e[i] = lr!.data[0]! / (Math.sqrt(h[i]!) + eps);
      u[i] = e[i]! * g;
      p[i] = p[i]! + u[i]!;
    }
    return [
      { shape: [...param!.shape], data: p },
      { shape: [...moment!.shape], data: h },
      { shape: [...grad!.shape], data: e },
      { shape: [...grad!.shape], data: u },
    ];
  },
});
