/**
 * Caffe2's MNIST tutorial, its model code ported line for line (AddInput, AddLeNetModel,
 * AddAccuracy, AddTrainingOperators, AddBookkeepingOperators), so the example, the bench and the
 * tests build the same LeNet. The tutorial's Python is the reference; where it names a keyword
 * argument, the options object carries the same name.
 */
import { DataType } from '../core/dtype.js';
import { brew } from '../builder/brew.js';
import type { BlobLike } from '../builder/blob_reference.js';
import type { BlobRef } from '../builder/net.js';
import type { ModelHelper } from '../builder/model_helper.js';

/** Batches of uint8 images from a DB, as floats in [0, 1) that no gradient flows into. */
export function AddInput(model: ModelHelper, batch_size: number, db: string, db_type: string): [BlobRef, BlobRef] {
  const [data_uint8, label] = model.TensorProtosDBInput([], ['data_uint8', 'label'], { batch_size, db, db_type }) as BlobRef[];
  let data = model.Cast(data_uint8!, 'data', { to: DataType.FLOAT }) as BlobRef;
  data = model.Scale(data, data, { scale: 1 / 256 }) as BlobRef;
  data = model.StopGradient(data, data) as BlobRef;
  return [data, label!];
}

/** LeNet: conv 20 → max pool → conv 100 → max pool → fc 500 → relu → fc 10 → softmax (28×28 inputs). */
export function AddLeNetModel(model: ModelHelper, data: BlobLike): BlobRef {
  // Image size: 28 x 28 -> 24 x 24
  const conv1 = brew.conv(model, data, 'conv1', { dim_in: 1, dim_out: 20, kernel: 5 });
  // Image size: 24 x 24 -> 12 x 12
  const pool1 = brew.max_pool(model, conv1, 'pool1', { kernel: 2, stride: 2 });
  // Image size: 12 x 12 -> 8 x 8
  const conv2 = brew.conv(model, pool1, 'conv2', { dim_in: 20, dim_out: 100, kernel: 5 });
  // Image size: 8 x 8 -> 4 x 4
  const pool2 = brew.max_pool(model, conv2, 'pool2', { kernel: 2, stride: 2 });
  // 100 * 4 * 4: the channels of pool2 times its image size
  const fc3 = brew.fc(model, pool2, 'fc3', { dim_in: 100 * 4 * 4, dim_out: 500 });
  const relu = brew.relu(model, fc3, fc3);
  const pred = brew.fc(model, relu, 'pred', 500, 10);
  const softmax = brew.softmax(model, pred, 'softmax');
  return softmax;
}

/** The fraction of the batch whose top class is the label. */
export function AddAccuracy(model: ModelHelper, softmax: BlobLike, label: BlobLike): BlobRef {
  const accuracy = brew.accuracy(model, [softmax, label], 'accuracy');
  return accuracy;
}

/** The tutorial's training step: cross-entropy loss, gradients, and SGD with the "step" LR policy. */
export function AddTrainingOperators(
  model: ModelHelper,
  softmax: BlobLike,
  label: BlobLike,
  { base_lr = -0.1, stepsize = 1, gamma = 0.999 }: { base_lr?: number; stepsize?: number; gamma?: number } = {},
): void {
  const xent = model.LabelCrossEntropy([softmax, label], 'xent');
  const loss = model.AveragedLoss(xent, 'loss');
  AddAccuracy(model, softmax, label);
  model.AddGradientOperators([loss as BlobRef]);
  const ITER = brew.iter(model, 'iter');
  const LR = model.LearningRate(ITER, 'LR', { base_lr, policy: 'step', stepsize, gamma });
  const ONE = model.param_init_net.ConstantFill([], 'ONE', { shape: [1], value: 1.0 });
  for (const param of model.params) {
    const param_grad = model.param_to_grad.get(param)!;
    model.WeightedSum([param, ONE, param_grad, LR as BlobRef], param);
  }
}

/** Prints accuracy and loss, and summarizes every parameter and its gradient, each run (to the log sink). */
export function AddBookkeepingOperators(model: ModelHelper): void {
  model.Print('accuracy', [], { to_file: 1 });
  model.Print('loss', [], { to_file: 1 });
  for (const param of model.params) {
    model.Summarize(param, [], { to_file: 1 });
    model.Summarize(model.param_to_grad.get(param)!, [], { to_file: 1 });
  }
}
