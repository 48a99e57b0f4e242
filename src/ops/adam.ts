/** Adam: the bias-corrected adaptive-moment update, with the step count read from the iteration blob on the GPU. */
import { arg } from './args.js';
import { requireFloatsOfOneSize, requireScalarInput } from './optimizer_common.js';
import { defineOp, type BindingSource, type KernelCall } from './registry.js';
import { linearWorkgroups } from './shape.js';

const IN_PLACE = [
  [0, 0],
  [1, 1],
  [2, 2],
] as const;

export const Adam = defineOp({
  type: 'Adam',
  doc:
    '[param, moment_1, moment_2, grad, lr, iter] -> [param, moment_1, moment_2] (in place), optionally a 4th output with ' +
    'the effective gradient. t = iter + 1; m1 = β1·m1 + (1−β1)·g; m2 = β2·m2 + (1−β2)·g²; ' +
    'param += lr·sqrt(1−β2^t)/(1−β1^t)·m1/(sqrt(m2)+ε) (lr negative). 0 <= beta1, beta2 < 1.',
  inputs: ['param', 'moment_1', 'moment_2', 'grad', 'lr', 'iter'],
  outputs: ['output_param', 'output_moment_1', 'output_moment_2', 'output_grad'],
  outputCount: [3, 4],
  args: { beta1: arg.float(0.9), beta2: arg.float(0.999), epsilon: arg.float(1e-5) },
  inPlace: IN_PLACE,
  shouldNotDoGradient: 'an optimizer update is not differentiated',
  inferShape(ctx) {
    requireFloatsOfOneSize(ctx, [0, 1, 2, 3]);
    requireScalarInput(ctx, 4, 'float32', 'the learning rate');
    requireScalarInput(ctx, 5, 'int32', 'the iteration counter');
    for (const name of ['beta1', 'beta2'] as const) {
      const b = ctx.args[name];
      if (!(b >= 0 && b < 1)) ctx.argError(`${name}=${b} must be in [0, 1)`);
    }
    const outs = IN_PLACE.map(([i]) => ({ shape: ctx.inputs[i]!.shape, dtype: 'float32' as const }));
    if (ctx.op.output.length === 4) outs.push({ shape: ctx.inputs[3]!.shape, dtype: 'float32' });
    return outs;
  },
  kernels(ctx): KernelCall[] {
    const n = requireFloatsOfOneSize(ctx, [0, 1, 2, 3]);
    const hasGrad = ctx.op.output.length === 4;
    const { beta1, beta2, epsilon } = ctx.args;
    const lnBetas = { ln_beta1: Math.log(Math.fround(beta1)), ln_beta2: Math.log(Math.fround(beta2)) };
    const EG: BindingSource = hasGrad ? { output: 3 } : { scratch: 'no_effective_grad', bytes: 4 };
    const workgroups = linearWorkgroups(n);
    if (IN_PLACE.every(([i, o]) => ctx.op.input[i] === ctx.op.output[o])) {
      return [
        {
          shader: 'adam.wgsl',
          bindings: { P: { output: 0 }, M1: { output: 1 }, M2: { output: 2 }, G: { input: 3 }, LR: { input: 4 }, ITER: { input: 5 }, EG },
          uniforms: { n, beta1, beta2, epsilon, ...lnBetas, has_grad: hasGrad ? 1 : 0 },
          workgroups,
        },
      ];
    }
    // Inputs and outputs bound apart would be ten storage buffers, over the eight a stage may bind:
    // the moments first, then the parameter from them, each within eight and without copies. Both
    // are pointwise, so a pair that is in place is read through its output binding.
    return [
      {
        shader: 'adam_moments.wgsl',
        bindings: { M1I: { input: 1 }, M2I: { input: 2 }, G: { input: 3 }, M1: { output: 1 }, M2: { output: 2 } },
        uniforms: { n, beta1, beta2 },
        workgroups,
        pointwise: true,
      },
      {
        shader: 'adam_param.wgsl',
        bindings: { PI: { input: 0 }, M1: { output: 1 }, M2: { output: 2 }, LR: { input: 4 }, ITER: { input: 5 }, P: { output: 0 }, EG },
        uniforms: { n, epsilon, ...lnBetas, has_grad: hasGrad ? 1 : 0 },
        workgroups,
        pointwise: true,
      },
    ];
  },
  reference([param, m1, m2, grad, lr, iter], args) {
    const [b1, b2, eps] = [Math.fround(args.beta1), Math.fround(args.beta2), Math.fround(args.epsilon)];
    const t = iter!.data[0]! + 1;
    const correction = Math.sqrt(1 - b2 ** t) / (1 - b1 ** t);
    const n = param!.data.length;
    const [p, nm1, nm2, eg] = [Float64Array.from(param!.data), new Float64Array(n), new Float64Array(n), new Float64Array(n)];
    for (let i = 0; i < n; i++) {
      const g = grad!.data[i]!;
      nm1[i] = m1!.data[i]! * b1 + g * (1 - b1);
      nm2[i] = m2!.data[i]! * b2 + g * g * (1 - b2);
      eg[i] = (correction * nm1[i]!) / (Math.sqrt(nm2[i]!) + eps);
      p[i] = p[i]! + lr!.data[0]! * eg[i]!;
    }
    return [
      { shape: [...param!.shape], data: p },
      { shape: [...m1!.shape], data: nm1 },
      { shape: [...m2!.shape], data: nm2 },
      { shape: [...grad!.shape], data: eg },
    ];
  },
});
