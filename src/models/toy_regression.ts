/**
 * The nets of Caffe2's "Toy Regression" tutorial, built line for line as the tutorial does, so the
 * Node example, the browser demo, the bench and the tests all train the same thing.
 */
import { DataType } from '../core/dtype.js';
import { Net } from '../builder/net.js';
import type { GradientMap } from '../builder/gradient_map.js';

export interface ToyRegressionOptions {
  /** Rows of X per iteration (the tutorial: 64). */
  batch?: number;
  /** LearningRate base_lr (the tutorial: -0.1; negative because WeightedSum adds LR·grad). */
  baseLr?: number;
  /** LearningRate "step" policy: stepsize and gamma (the tutorial: 20 and 0.9). */
  stepsize?: number;
  gamma?: number;
  /** Standard deviation of the label noise (the tutorial: 1). */
  noiseStd?: number;
  /** Ground truth (the tutorial: W = [2, 1.5], B = 0.5). */
  wTrue?: [number, number];
  bTrue?: number;
}

export interface ToyRegressionNets {
  init: Net;
  /** The train net after each of the tutorial's three stages (forward; + gradients; + SGD). */
  forwardOps: number;
  gradientOps: number;
  train: Net;
  gradients: GradientMap;
}

/** Builds init and train nets exactly as the tutorial does. */
export function buildToyRegression(options: ToyRegressionOptions = {}): ToyRegressionNets {
  const batch = options.batch ?? 64;
  const [w0, w1] = options.wTrue ?? [2.0, 1.5];

  const init = Net('init');
  const W_gt = init.GivenTensorFill([], 'W_gt', { shape: [1, 2], values: [w0, w1] });
  const B_gt = init.GivenTensorFill([], 'B_gt', { shape: [1], values: [options.bTrue ?? 0.5] });
  const ONE = init.ConstantFill([], 'ONE', { shape: [1], value: 1.0 });
  const ITER = init.ConstantFill([], 'ITER', { shape: [1], value: 0, dtype: DataType.INT32 });
  const W = init.UniformFill([], 'W', { shape: [1, 2], min: -1.0, max: 1.0 });
  const B = init.ConstantFill([], 'B', { shape: [1], value: 0.0 });

  const train = Net('train');
  const X = train.GaussianFill([], 'X', { shape: [batch, 2], mean: 0.0, std: 1.0, run_once: 0 });
  const Y_gt = X.FC([W_gt, B_gt], 'Y_gt');
  const noise = train.GaussianFill([], 'noise', { shape: [batch, 1], mean: 0.0, std: options.noiseStd ?? 1.0, run_once: 0 });
  const Y_noise = Y_gt.Add(noise, 'Y_noise').StopGradient([], 'Y_noise');
  const Y_pred = X.FC([W, B], 'Y_pred');
  const dist = train.SquaredL2Distance([Y_noise, Y_pred], 'dist');
  const loss = dist.AveragedLoss([], ['loss']);
  const forwardOps = train.Proto().op.length;

  const gradients = train.AddGradientOperators([loss]);
  const gradientOps = train.Proto().op.length;
  train.Iter(ITER, ITER);
  const LR = train.LearningRate(ITER, 'LR', {
    base_lr: options.baseLr ?? -0.1,
    policy: 'step',
    stepsize: options.stepsize ?? 20,
    gamma: options.gamma ?? 0.9,
  });
  train.WeightedSum([W, ONE, gradients.get(W)!, LR], W);
  train.WeightedSum([B, ONE, gradients.get(B)!, LR], B);
  return { init, forwardOps, gradientOps, train, gradients };
}
