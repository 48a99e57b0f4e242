/**
 * The Digits CNN, built with ModelHelper + brew + optimizer as Caffe2's MNIST tutorial builds LeNet,
 * and one training run of it with no DOM. The training rows live on the GPU as a minidb that
 * TensorProtosDBInput gathers batches from, so a chunk of iterations is one RunNetWithHistory
 * (one submit, one readback of the loss and batch accuracy). The predict net reads the trained
 * parameters by name and scores the held-out rows plus one slot for the drawing pad in one run,
 * so its input never changes shape and it is planned once.
 */
import { brew, model_helper, optimizer, workspace, type ModelHelperType } from '../../src/index.js';
import { HELD_OUT, PIXELS, SIDE, toFloat, toMinidb, type DigitSet } from './data.js';

export const BATCH = 64;
export const CLASSES = 10;
const CONV_CHANNELS = 16;
/** After one 2×2 max pool the 8×8 map is 4×4. */
const POOLED = (SIDE / 2) * (SIDE / 2) * CONV_CHANNELS;
const DB_NAME = 'digits-train.minidb';
/** Rows the predict net scores per run: every held-out image, then the pad's drawing. */
const EVAL_ROWS = HELD_OUT + 1;

/** Loss and batch accuracy after every iteration so far. */
export interface History {
  loss: number[];
  accuracy: number[];
  /** Held-out accuracy measured after iteration `at`. */
  heldOut: Array<{ at: number; accuracy: number }>;
}

/** Scores of the held-out rows and of the pad. */
export interface Evaluation {
  /** predicted[i]: the digit the net picks for held-out row i. */
  predicted: Int32Array;
  /** confidence[i]: its softmax probability. */
  confidence: Float32Array;
  accuracy: number;
  /** confusion[t * 10 + p]: held-out rows of digit t predicted as p. */
  confusion: Int32Array;
  /** The pad's ten probabilities. */
  pad: Float32Array;
}

/** conv 3×3 (16) → relu → max pool 2 → fc 10 → softmax: tiny, so SwiftShader trains it live. */
function buildTrainModel(): ModelHelperType {
  const model = model_helper.ModelHelper({ name: 'digits_train', arg_scope: { order: 'NCHW' } });
  const [dataUint8, label] = model.TensorProtosDBInput([], ['data_uint8', 'label'], { batch_size: BATCH, db: DB_NAME, db_type: 'minidb', shuffle: 1, seed: 7 });
  // As in the MNIST tutorial: cast, scale to [0, 1], and no gradient flows into the data.
  const data = model.StopGradient(model.Scale(model.Cast(dataUint8, 'data_float', { to: 1 }), 'data', { scale: 1 / 16 }), 'data');
  const conv = brew.conv(model, data, 'conv1', 1, CONV_CHANNELS, 3, { pad: 1 });
  const relu = brew.relu(model, conv, conv);
  const pool = brew.max_pool(model, relu, 'pool1', { kernel: 2, stride: 2 });
  const pred = brew.fc(model, pool, 'pred', POOLED, CLASSES);
  const softmax = brew.softmax(model, pred, 'softmax');
  brew.accuracy(model, [softmax, label], 'accuracy');
  model.AveragedLoss(model.LabelCrossEntropy([softmax, label], 'xent'), 'loss');
  model.AddGradientOperators(['loss']);
  // Halving the rate every 100 iterations settles the held-out score instead of letting it wobble.
  optimizer.build_adam(model, 0.01, { policy: 'step', stepsize: 100, gamma: 0.5 });
  return model;
}

/** The same forward pass on eval_data, on the train model's parameters (init_params false). */
function buildPredictModel(): ModelHelperType {
  const model = model_helper.ModelHelper({ name: 'digits_predict', init_params: false, arg_scope: { order: 'NCHW' } });
  // Its own activation names, so the train net's batch-64 blobs never change shape.
  const conv = model.Conv(['eval_data', 'conv1_w', 'conv1_b'], 'eval_conv1', { kernel: 3, pad: 1 });
  const relu = model.Relu(conv, conv);
  const pool = model.MaxPool(relu, 'eval_pool1', { kernel: 2, stride: 2 });
  const pred = model.FC([pool, 'pred_w', 'pred_b'], 'eval_pred');
  model.Softmax(pred, 'eval_softmax');
  return model;
}

/** A run of the Digits CNN in the current workspace. */
export class DigitsTrainer {
  readonly history: History = { loss: [], accuracy: [], heldOut: [] };
  /** The last evaluation (null before the first). */
  last: Evaluation | null = null;
  private readonly evalInput: Float32Array;

  private constructor(
    readonly test: DigitSet,
    private readonly trainName: string,
    private readonly predictName: string,
  ) {
    this.evalInput = new Float32Array(EVAL_ROWS * PIXELS);
    this.evalInput.set(toFloat(test.pixels));
  }

  /** Starts over: uploads the training rows as a DB, initialises the parameters, plans both nets. */
  static async create(train: DigitSet, test: DigitSet, seed: number): Promise<DigitsTrainer> {
    if (test.count !== HELD_OUT) throw new Error(`DigitsTrainer: expected ${HELD_OUT} held-out rows, got ${test.count}`);
    workspace.ResetWorkspace();
    workspace.SetSeed(seed);
    workspace.RegisterDB(DB_NAME, toMinidb(train), 'minidb');
    const trainModel = buildTrainModel();
    const predictModel = buildPredictModel();
    await workspace.RunNetOnce(trainModel.param_init_net);
    await workspace.CreateNet(trainModel.net, true);
    const trainer = new DigitsTrainer(test, trainModel.net.Name(), predictModel.net.Name());
    await workspace.FeedBlob('eval_data', trainer.evalInput, { shape: [EVAL_ROWS, 1, SIDE, SIDE] });
    await workspace.CreateNet(predictModel.net, true);
    return trainer;
  }

  get iteration(): number {
    return this.history.loss.length;
  }

  /** Runs `n` iterations in one submit and appends their loss and batch accuracy. */
  async run(n: number): Promise<void> {
    const got = await workspace.RunNetWithHistory(this.trainName, n, ['loss', 'accuracy']);
    this.history.loss.push(...got.loss!.data);
    this.history.accuracy.push(...got.accuracy!.data);
  }

  /** Scores the held-out rows and `pad` (64 intensities 0–16) with the parameters as they are now. */
  async evaluate(pad: ArrayLike<number>): Promise<Evaluation> {
    this.evalInput.set(toFloat(pad), HELD_OUT * PIXELS);
    await workspace.FeedBlob('eval_data', this.evalInput, { shape: [EVAL_ROWS, 1, SIDE, SIDE] });
    await workspace.RunNet(this.predictName);
    const probs = (await workspace.FetchBlob('eval_softmax')).data;
    const predicted = new Int32Array(HELD_OUT);
    const confidence = new Float32Array(HELD_OUT);
    const confusion = new Int32Array(CLASSES * CLASSES);
    let right = 0;
    for (let i = 0; i < HELD_OUT; i++) {
      const row = probs.subarray(i * CLASSES, (i + 1) * CLASSES);
      const p = argmax(row);
      predicted[i] = p;
      confidence[i] = row[p]!;
      confusion[this.test.labels[i]! * CLASSES + p]!++;
      if (p === this.test.labels[i]) right++;
    }
    const accuracy = right / HELD_OUT;
    const at = this.iteration;
    const heldOut = this.history.heldOut;
    if (heldOut[heldOut.length - 1]?.at !== at) heldOut.push({ at, accuracy });
    this.last = { predicted, confidence, accuracy, confusion, pad: Float32Array.from(probs.subarray(HELD_OUT * CLASSES)) };
    return this.last;
  }
}

/** Index of the largest value (the first on ties). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}
