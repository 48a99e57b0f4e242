/** MomentumSGDUpdate: SGD with (optionally Nesterov) momentum, updating grad, momentum and param in place. */
import { arg } from './args.js';
import { requireFloatsOfOneSize, requireScalarInput } from './optimizer_common.js';
import { defineOp } from './registry.js';
import { linearWorkgroups } from './shape.js';

const IN_PLACE = [
  [0, 0],
  [1, 1],
  [3, 2],
] as const;

export const MomentumSGDUpdate = defineOp({
  type: 'MomentumSGDUpdate',
  doc:
    '[grad, moment, lr, param] -> [grad, moment, param] (normally in place). Plain: a = lr·g + μ·m; moment = grad = a; ' +
    'param -= a. nesterov=1: m\' = μ·m + lr·g; grad = (1+μ)·m\' − μ·m; param -= grad. lr is positive here.',
  inputs: ['grad', 'moment', 'lr', 'param'],
  outputs: ['output_grad', 'output_moment', 'output_param'],
  args: { momentum: arg.float(0.0), nesterov: arg.bool(0) },
  inPlace: IN_PLACE,
  shouldNotDoGradient: 'an optimizer update is not differentiated',
  inferShape(ctx) {
    requireFloatsOfOneSize(ctx, [0, 1, 3]);
    requireScalarInput(ctx, 2, 'float32', 'the learning rate');
    return IN_PLACE.map(([i]) => ({ shape: ctx.inputs[i]!.shape, dtype: 'float32' as const }));
  },
  kernels(ctx) {
    const n = requireFloatsOfOneSize(ctx, [0, 1, 3]);
    // Pointwise: in place, the planner reads grad, moment and param through the output bindings.
    return [
      {
        shader: 'momentum_sgd.wgsl',
        bindings: { G_IN: { input: 0 }, M_IN: { input: 1 }, P_IN: { input: 3 }, G: { output: 0 }, M: { output: 1 }, LR: { input: 2 }, P: { output: 2 } },
        uniforms: { n, momentum: ctx.args.momentum, nesterov: ctx.args.nesterov },
        workgroups: linearWorkgroups(n),
        pointwise: true,
      },
    ];
  },
  reference([grad, moment, lr, param], args) {
    const mu = Math.fround(args.momentum);
    const rate = lr!.data[0]!;
    const g = new Float64Array(grad!.data.length);
    const m = new Float64Array(g.length);
    const p = Float64Array.from(param!.data);
    for (let i = 0; i < g.length; i++) {
      const gi = grad!.data[i]!;
      const mi = moment!.data[i]!;
      if (args.nesterov) {
        m[i] = mu * mi + rate * gi;
        g[i] = (1 + mu) * m[i]! - mu * mi;
      } else {
        g[i] = m[i] = rate * gi + mu * mi;
      }
      p[i] = p[i]! - g[i]!;
    }
    return [
      { shape: [...grad!.shape], data: g },
      { shape: [...moment!.shape], data: m },
      { shape: [...param!.shape], data: p },
    ];
  },
});
