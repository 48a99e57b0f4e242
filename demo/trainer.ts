/**
 * One training run of the Toy Regression on the GPU, with no DOM: the nets built from the settings,
 * the values the tutorial prints, and the per-iteration history gathered chunk by chunk (one
 * RunNetWithHistory submit and one readback per chunk, never one per iteration). The learning-rate
 * schedule can change mid-run: the train net is planned again, W, B, ITER and the RNG carry on.
 */
import { Tensor, workspace, type NetDef, type OperatorDef } from '../src/index.js';
import { buildToyRegression } from '../src/models/toy_regression.js';
import type { Settings } from './settings.js';

/** The train net after each of the tutorial's three stages. */
export interface NetStages {
  forward: NetDef;
  gradients: NetDef;
  sgd: NetDef;
}

/** Parameters and loss after every iteration so far (index 0 of w0/w1/b is the initial value). */
export interface History {
  w0: number[];
  w1: number[];
  b: number[];
  /** loss[i] and lr[i] belong to iteration i + 1. */
  loss: number[];
  lr: number[];
}

/** The batch of the last iteration: X's two columns and the noisy labels it was fitted to. */
export interface Batch {
  x0: number[];
  x1: number[];
  y: number[];
}

/** What one chunk cost. */
export interface ChunkTiming {
  iterations: number;
  /** Wall time from submit to the history being on the host. */
  ms: number;
}

function stage(name: string, ops: readonly OperatorDef[]): NetDef {
  return { name, op: [...ops], external_input: [], external_output: [] };
}

/** The three stages of the train net for these settings (no GPU needed). */
export function netStages(settings: Settings): NetStages {
  const { train, forwardOps, gradientOps } = buildToyRegression(settings);
  const ops = train.Proto().op;
  return {
    forward: stage('forward', ops.slice(0, forwardOps)),
    gradients: stage('forward + gradients', ops.slice(0, gradientOps)),
    sgd: stage('train', ops),
  };
}

/** Rows of a [1, 2] W and a [1] B as the tutorial prints them. */
function paramTensors(w0: number, w1: number, b: number): { W: Tensor; B: Tensor } {
  return { W: new Tensor([1, 2], 'float32', Float32Array.of(w0, w1)), B: new Tensor([1], 'float32', Float32Array.of(b)) };
}

/** A Toy Regression run in the current workspace. */
export class ToyTrainer {
  readonly history: History = { w0: [], w1: [], b: [], loss: [], lr: [] };
  /** Summed ChunkTiming.ms over every iteration run. */
  totalMs = 0;
  /** The last iteration's batch (null before the first). */
  batch: Batch | null = null;

  private constructor(
    private currentSettings: Settings,
    private trainName: string,
    readonly before: { W: Tensor; B: Tensor },
    readonly truth: { W: Tensor; B: Tensor },
  ) {
    this.history.w0.push(before.W.data[0]!);
    this.history.w1.push(before.W.data[1]!);
    this.history.b.push(before.B.data[0]!);
  }

  /** Starts over: seeds the RNG, runs the init net and plans the train net. */
  static async create(settings: Settings): Promise<ToyTrainer> {
    const { init, train } = buildToyRegression(settings);
    workspace.ResetWorkspace();
    workspace.SetSeed(settings.seed);
    await workspace.RunNetOnce(init);
    await workspace.CreateNet(train, true);
    const [W, B, W_gt, B_gt] = await workspace.FetchBlobs(['W', 'B', 'W_gt', 'B_gt']);
    return new ToyTrainer(settings, train.Name(), { W: W!, B: B! }, { W: W_gt!, B: B_gt! });
  }

  /** The settings the train net now runs with (the learning rate may have changed since create). */
  get settings(): Settings {
    return this.currentSettings;
  }

  /**
   * Switches to another learning-rate schedule without starting over: the train net is rebuilt
   * and planned again; W, B, ITER and the RNG stream are workspace state and carry on.
   */
  async setLearningRate(lr: Pick<Settings, 'baseLr' | 'stepsize' | 'gamma'>): Promise<void> {
    const next = { ...this.currentSettings, baseLr: lr.baseLr, stepsize: lr.stepsize, gamma: lr.gamma };
    const { train } = buildToyRegression(next);
    await workspace.CreateNet(train, true);
    workspace.DeleteNet(this.trainName);
    this.trainName = train.Name();
    this.currentSettings = next;
  }

  /**
   * True when training runs away: a value is no longer finite, or the recent loss is ten times
   * `baseline` (the loss when this stretch of training began; by default the first loss). A
   * positive base_lr climbs the loss instead of descending it.
   */
  divergedSince(baseline?: number): boolean {
    if (!this.finite) return true;
    const loss = this.history.loss;
    if (loss.length < 2) return false;
    const recent = loss.slice(-5);
    const mean = recent.reduce((a, b) => a + b, 0) / recent.length;
    const floor = this.currentSettings.noiseStd ** 2 / 2;
    return mean > 10 * Math.max(baseline ?? loss[0]!, floor, 1e-6);
  }

  /** Iterations run so far. */
  get iteration(): number {
    return this.history.loss.length;
  }

  /** W and B now (after the last iteration run). */
  get current(): { W: Tensor; B: Tensor } {
    const h = this.history;
    const last = h.b.length - 1;
    return paramTensors(h.w0[last]!, h.w1[last]!, h.b[last]!);
  }

  /** False once W, B or the loss stopped being finite numbers (a learning rate too large). */
  get finite(): boolean {
    const h = this.history;
    const last = h.b.length - 1;
    return [h.w0[last]!, h.w1[last]!, h.b[last]!, h.loss[h.loss.length - 1] ?? 0].every(Number.isFinite);
  }

  /** Runs `n` iterations in one submit and appends their history. */
  async run(n: number): Promise<ChunkTiming> {
    const t0 = performance.now();
    const got = await workspace.RunNetWithHistory(this.trainName, n, ['W', 'B', 'loss', 'LR', 'X', 'Y_noise']);
    const ms = performance.now() - t0;
    const w = got.W!.data;
    // Only the last iteration's batch is shown; it came back in the same readback.
    const rows = this.currentSettings.batch;
    const x = got.X!.data.subarray((n - 1) * rows * 2, n * rows * 2);
    const y = got.Y_noise!.data.subarray((n - 1) * rows, n * rows);
    this.batch = {
      x0: Array.from({ length: rows }, (_, i) => x[2 * i]!),
      x1: Array.from({ length: rows }, (_, i) => x[2 * i + 1]!),
      y: Array.from(y),
    };
    for (let i = 0; i < n; i++) {
      this.history.w0.push(w[2 * i]!);
      this.history.w1.push(w[2 * i + 1]!);
      this.history.b.push(got.B!.data[i]!);
      this.history.loss.push(got.loss!.data[i]!);
      this.history.lr.push(got.LR!.data[i]!);
    }
    this.totalMs += ms;
    return { iterations: n, ms };
  }
}
