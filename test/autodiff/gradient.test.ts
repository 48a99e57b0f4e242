import { describe, expect, it } from 'vitest';
import { core, ArgumentError, type NetType } from '../../src/index.js';

/** The toy-regression train net of the tutorial, forward part (spec §2.3). */
function tutorialForward(): NetType {
  const train = core.Net('train');
  const X = train.GaussianFill([], 'X', { shape: [64, 2], mean: 0, std: 1, run_once: 0 });
  const Y_gt = X.FC(['W_gt', 'B_gt'], 'Y_gt');
  const noise = train.GaussianFill([], 'noise', { shape: [64, 1], mean: 0, std: 1, run_once: 0 });
  const Y_noise = Y_gt.Add(noise, 'Y_noise');
  Y_noise.StopGradient([], 'Y_noise');
  const Y_pred = X.FC(['W', 'B'], 'Y_pred');
  const dist = train.SquaredL2Distance([Y_noise, Y_pred], 'dist');
  dist.AveragedLoss([], ['loss']);
  return train;
}

const summary = (net: NetType, from: number) => net.Proto().op.slice(from).map((o) => [o.type, o.input, o.output]);

describe('AddGradientOperators', () => {
  it('emits the tutorial gradient ops exactly (spec §2.3)', () => {
    const train = tutorialForward();
    const grads = train.AddGradientOperators(['loss']);
    expect(summary(train, 8)).toEqual([
      ['ConstantFill', ['loss'], ['loss_autogen_grad']],
      ['AveragedLossGradient', ['dist', 'loss_autogen_grad'], ['dist_grad']],
      ['SquaredL2DistanceGradient', ['Y_noise', 'Y_pred', 'dist_grad'], ['Y_noise_grad', 'Y_pred_grad']],
      ['FCGradient', ['X', 'W', 'Y_pred_grad'], ['W_grad', 'B_grad', 'X_grad']],
    ]);
    expect(train.Proto().op[8]!.arg).toEqual([{ name: 'value', f: 1 }]);
    expect(train.Proto().op.slice(8).every((o) => o.is_gradient_op)).toBe(true);
    expect(grads.toJSON()).toEqual({
      loss: 'loss_autogen_grad',
      dist: 'dist_grad',
      Y_pred: 'Y_pred_grad',
      X: 'X_grad',
      W: 'W_grad',
      B: 'B_grad',
    });
  });

  it('answers grads.get(W) and grads[W] with a BlobReference', () => {
    const train = tutorialForward();
    const W = train.GetBlobRef('W');
    const grads = train.AddGradientOperators([train.GetBlobRef('loss')]);
    expect(grads.get(W)?.name).toBe('W_grad');
    expect(grads.get('B')?.name).toBe('B_grad');
    expect((grads as unknown as Record<string, { name: string }>)[String(W)]!.name).toBe('W_grad');
    expect(grads.get('W_gt')).toBeUndefined();
  });

  it('StopGradient in place blocks the path to W_gt, B_gt and noise', () => {
    const train = tutorialForward();
    const grads = train.AddGradientOperators(['loss']);
    for (const b of ['W_gt', 'B_gt', 'noise', 'Y_gt', 'Y_noise']) expect(grads.has(b)).toBe(false);
    const gradTypes = train.Proto().op.slice(8).map((o) => o.type);
    expect(gradTypes).not.toContain('AddGradient');
    expect(gradTypes.filter((t) => t === 'FCGradient')).toHaveLength(1);
  });

  it('sums the gradients of a blob with two consumers, renaming the earlier one (spec §2.4)', () => {
    const net = core.Net('fanout');
    const Y1 = net.FC(['X', 'W1', 'b1'], 'Y1');
    const Y2 = net.FC(['X', 'W2', 'b2'], 'Y2');
    const Z = net.Add([Y1, Y2], 'Z');
    Z.AveragedLoss([], 'loss');
    const grads = net.AddGradientOperators(['loss']);
    expect(summary(net, 4)).toEqual([
      ['ConstantFill', ['loss'], ['loss_autogen_grad']],
      ['AveragedLossGradient', ['Z', 'loss_autogen_grad'], ['Z_grad']],
      ['AddGradient', ['Z_grad', 'Y1', 'Y2'], ['Y1_grad', 'Y2_grad']],
      ['FCGradient', ['X', 'W2', 'Y2_grad'], ['W2_grad', 'b2_grad', 'X_grad']],
      ['FCGradient', ['X', 'W1', 'Y1_grad'], ['W1_grad', 'b1_grad', '_X_grad_autosplit_0']],
      ['Sum', ['X_grad', '_X_grad_autosplit_0'], ['X_grad']],
    ]);
    expect(grads.get('X')?.name).toBe('X_grad');
  });

  it('sums pass-through gradients of Sum fan-out into X_grad', () => {
    const net = core.Net('passthrough');
    const X = net.ConstantFill([], 'X', { shape: [2], value: 1 });
    const Y = net.Sum([X, X], 'Y');
    Y.AveragedLoss([], 'loss');
    const grads = net.AddGradientOperators(['loss']);
    const ops = summary(net, 3);
    expect(ops).toContainEqual(['Sum', ['Y_grad', 'Y_grad'], ['X_grad']]);
    expect(grads.get('X')?.name).toBe('X_grad');
  });

  it('copies the forward arguments onto gradient ops', () => {
    const net = core.Net('args');
    net.FC(['X', 'W', 'b'], 'Y', { axis: 2 }).AveragedLoss([], 'loss');
    net.AddGradientOperators(['loss']);
    const fcg = net.Proto().op.find((o) => o.type === 'FCGradient')!;
    expect(fcg.arg).toContainEqual({ name: 'axis', i: 2 });
  });

  it('accepts a seed map with a given gradient blob', () => {
    const net = core.Net('seeded');
    net.Copy(['X'], 'Y');
    const grads = net.AddGradientOperators({ Y: 'Y_seed' });
    expect(summary(net, 1)).toEqual([['Copy', ['Y_seed'], ['X_grad']]]);
    expect(grads.get('X')?.name).toBe('X_grad');
  });

  it('refuses to seed a blob no op produces', () => {
    const net = core.Net('noseed');
    net.Copy(['X'], 'Y');
    expect(() => net.AddGradientOperators(['Z'])).toThrow(/"Z" is not produced by any op of net "noseed"/);
  });

  it('refuses a gradient that needs an input another op overwrote later (Caffe2 blob versions)', () => {
    const net = core.Net('overwrite');
    const Y = net.FC(['X', 'W', 'b'], 'Y');
    net.Scale(['W'], 'W', { scale: 10 });
    const L = Y.AveragedLoss([], 'L');
    expect(() => net.AddGradientOperators([L])).toThrow(ArgumentError);
    expect(() => net.AddGradientOperators([L])).toThrow(
      /FC \(op #0 in net "overwrite\w*"\): Gradient operator needs input "W" at version 0, but currently we have version 1/,
    );
  });

  it('accepts in-place ops whose gradient reads the value they wrote, and overwrites after the last use', () => {
    const net = core.Net('inplace_ok');
    net.Scale(['X'], 'X', { scale: 2 });
    const Y = net.FC(['X', 'W', 'b'], 'Y');
    const L = Y.AveragedLoss([], 'L');
    const grads = net.AddGradientOperators([L]);
    expect(grads.get('W')?.name).toBe('W_grad');
    // X at version 1 is the final X, so FCGradient may read it.
    expect(net.Proto().op.find((o) => o.type === 'FCGradient')!.input).toEqual(['X', 'W', 'Y_grad']);
  });

  it('refuses an orphan StopGradient, whose output nothing reads', () => {
    const net = core.Net('orphan');
    const Y = net.FC(['X', 'W', 'b'], 'Y');
    Y.StopGradient([], 'Y_stopped');
    const L = Y.AveragedLoss([], 'L');
    expect(() => net.AddGradientOperators([L])).toThrow(/StopGradient's output 'Y_stopped' is orphan/);
  });

  it('wants ys as a list or a dict, as Caffe2 does', () => {
    const net = core.Net('ys_kind');
    const L = net.Copy(['X'], 'L');
    expect(() => net.AddGradientOperators(L as never)).toThrow(TypeError);
    expect(() => net.AddGradientOperators(L as never)).toThrow(/ys should either be a list or a dict/);
    expect(() => net.AddGradientOperators('L' as never)).toThrow(/ys should either be a list or a dict/);
    expect(() => net.AddGradientOperators([['L']] as never)).toThrow(/ys\[0\] must be a blob name or a BlobReference, got an array \[L\]/);
    expect(net.AddGradientOperators([L]).get('X')?.name).toBe('X_grad');
  });

  it('skip leaves the first ops out entirely, reporting indices in the whole net', () => {
    const net = core.Net('skipping');
    const X = net.GaussianFill([], 'X', { shape: [4, 3] });
    const X2 = X.Scale([], 'X2', { scale: 2 });
    const L = X2.FC(['W', 'b'], 'Y').AveragedLoss([], 'L');
    const grads = net.AddGradientOperators([L], 2);
    expect(net.Proto().op.slice(4).map((o) => o.type)).toEqual(['ConstantFill', 'AveragedLossGradient', 'FCGradient']);
    expect(grads.get(X2)?.name).toBe('X2_grad');
    expect(grads.has(X)).toBe(false);
    const bad = core.Net('skipping_bad');
    bad.GaussianFill([], 'X', { shape: [4, 3] });
    const Y = bad.FC(['X', 'W', 'b'], 'Y');
    bad.Scale(['W'], 'W', { scale: 3 });
    expect(() => bad.AddGradientOperators([Y.AveragedLoss([], 'L')], 1)).toThrow(/FC \(op #1 in net "skipping_bad\w*"\): Gradient operator needs input "W"/);
  });
});
