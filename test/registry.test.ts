import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../src/ops/all.js';
import { registeredOps, getOpSpec } from '../src/ops/registry.js';

const root = join(import.meta.dirname, '..');
const opFiles = readdirSync(join(root, 'src/ops'))
  .filter((f) => f.endsWith('.ts'))
  .filter((f) => /defineOp\(/.test(readFileSync(join(root, 'src/ops', f), 'utf8')) && f !== 'registry.ts');

describe('operator registry layout', () => {
  it('src/ops/all.ts lists every file that defines operators', () => {
    const all = readFileSync(join(root, 'src/ops/all.ts'), 'utf8');
    for (const f of opFiles) expect(all, f).toContain(`'./${f.replace(/\.ts$/, '.js')}'`);
  });

  it('every operator file has its test file', () => {
    for (const f of opFiles) expect(existsSync(join(root, 'test/ops', f.replace(/\.ts$/, '.test.ts'))), `test/ops for ${f}`).toBe(true);
  });

  it('every kernel an operator file names exists in kernels/', () => {
    for (const f of opFiles) {
      const src = readFileSync(join(root, 'src/ops', f), 'utf8');
      for (const m of src.matchAll(/shader:\s*'([^']+)'/g)) expect(existsSync(join(root, 'kernels', m[1]!)), `${f}: kernels/${m[1]}`).toBe(true);
    }
  });

  it('every registered operator declares a gradient or says why it has none, and documents itself', () => {
    expect(registeredOps().length).toBeGreaterThan(0);
    for (const type of registeredOps()) {
      const spec = getOpSpec(type);
      const declared = 'gradient' in spec || 'noGradient' in spec || 'shouldNotDoGradient' in spec;
      expect(declared, type).toBe(true);
      expect(spec.doc.length, `${type} doc`).toBeGreaterThan(0);
    }
  });

  it('the issue\'s operator list is registered', () => {
    const wanted = ['GivenTensorFill', 'GivenTensorIntFill', 'ConstantFill', 'UniformFill', 'GaussianFill', 'XavierFill', 'MSRAFill',
      'FC', 'Add', 'Sub', 'Mul', 'Div', 'Scale', 'Copy', 'StopGradient', 'SquaredL2Distance', 'AveragedLoss', 'Sum',
      'FCGradient', 'SquaredL2DistanceGradient', 'AveragedLossGradient', 'AddGradient', 'SubGradient', 'MulGradient', 'DivGradient',
      'Iter', 'AtomicIter', 'LearningRate', 'WeightedSum', 'MomentumSGDUpdate', 'Adam', 'Adagrad'];
    const have = new Set(registeredOps());
    expect(wanted.filter((t) => !have.has(t))).toEqual([]);
  });

  it('issue #13\'s activation, math and classifier operators (and their gradient ops) are registered', () => {
    const wanted = ['Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Softsign', 'Exp', 'Log', 'Sqrt', 'Sqr', 'Abs', 'Negative', 'Pow', 'Clip',
      'ReluGradient', 'LeakyReluGradient', 'SigmoidGradient', 'TanhGradient', 'SoftsignGradient', 'AbsGradient', 'ClipGradient', 'SumReduceLike',
      'Softmax', 'SoftmaxGradient', 'SoftmaxWithLoss', 'SoftmaxWithLossGradient', 'LabelCrossEntropy', 'LabelCrossEntropyGradient',
      'CrossEntropy', 'CrossEntropyGradient', 'Accuracy'];
    const have = new Set(registeredOps());
    expect(wanted.filter((t) => !have.has(t))).toEqual([]);
  });

  it('issue #13\'s shape, linear algebra, reduction and bookkeeping operators (and their gradient ops) are registered', () => {
    const wanted = ['Reshape', 'Flatten', 'FlattenToVec', 'ResizeLike', 'Transpose', 'Concat', 'Split', 'ExpandDims', 'Squeeze',
      'MatMul', 'ReduceMean', 'ReduceSum', 'ReduceMax', 'ReduceMeanGradient', 'ReduceSumGradient', 'ReduceMaxGradient',
      'Cast', 'UniformFill', 'Print', 'Summarize'];
    const have = new Set(registeredOps());
    expect(wanted.filter((t) => !have.has(t))).toEqual([]);
  });
});
