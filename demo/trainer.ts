/**
 * One training run of the Toy Regression on the GPU, with no DOM: the nets built from the settings,
 * the values the tutorial prints, and the per-iteration history gathered chunk by chunk (one
 * RunNetWithHistory submit and one readback per chunk, never one per iteration).
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

  private constructor(
    readonly settings: Settings,
    private readonly trainName: string,
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
    const got = await workspace.RunNetWithHistory(this.trainName, n, ['W', 'B', 'loss', 'LR']);
    const ms = performance.now() - t0;
    const w = got.W!.data;
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
