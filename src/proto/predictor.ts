/**
 * Caffe2's workspace.Predictor(init_net, predict_net), as the "Loading pretrained models" tutorial
 * uses it: the init net runs once (parameters), then `run({data: img})` (or `run([img])`) feeds the
 * inputs, runs the predict net and returns its external outputs.
 */
import type { NetDef, NetLike } from '../core/netdef.js';
import { cloneNetDef, netDefOf } from '../core/netdef.js';
import { ArgumentError } from '../core/errors.js';
import { uniqueNetName } from '../core/names.js';
import * as workspace from '../runtime/workspace.js';
import type { FeedData } from '../runtime/host_data.js';
import type { Tensor } from '../runtime/tensor.js';
import { decodeNetDef } from './codec.js';

/** A net as the Predictor takes it: serialized NetDef bytes (a .pb file's contents), a NetDef, or a core.Net. */
export type PredictorNet = Uint8Array | NetLike;

function netDefFrom(net: PredictorNet, what: string): NetDef {
  if (net instanceof Uint8Array) return decodeNetDef(net);
  if (typeof net !== 'object' || net === null) throw new TypeError(`Predictor: ${what} must be NetDef bytes, a NetDef or a core.Net, got ${typeof net}`);
  return cloneNetDef(netDefOf(net));
}

/**
 * Runs `init_net` once in the current workspace, then predicts with `predict_net`. The predict net
 * is created on the first run (once its inputs exist) and replayed after; re-feeding another shape
 * re-plans it.
 */
export class Predictor {
  private readonly predict: NetDef;
  private readonly ready: Promise<unknown>;
  private created = false;

  constructor(init_net: PredictorNet, predict_net: PredictorNet) {
    const init = netDefFrom(init_net, 'init_net');
    this.predict = netDefFrom(predict_net, 'predict_net');
    // Its own name, so two predictors of one model (or a net the user created) never collide.
    this.predict.name = uniqueNetName(this.predict.name || 'predict');
    if (this.predict.external_output.length === 0) {
      throw new ArgumentError(`Predictor: predict_net "${this.predict.name}" lists no external_output, so there is nothing to return`);
    }
    // Queued now, like Caffe2's constructor running it; its outcome is reported by run().
    this.ready = workspace.RunNetOnce(init);
    this.ready.catch(() => undefined);
  }

  /** The predict net's inputs, in the order a list passed to run() fills them. */
  get input_names(): string[] {
    return [...this.predict.external_input];
  }

  /** The blobs run() returns, in order. */
  get output_names(): string[] {
    return [...this.predict.external_output];
  }

  /** Feeds `inputs` (by name, or a list in external_input order), runs the predict net, and fetches its outputs. */
  async run(inputs: Readonly<Record<string, FeedData>> | readonly FeedData[]): Promise<Tensor[]> {
    await this.ready;
    const entries: Array<[string, FeedData]> = Array.isArray(inputs)
      ? (inputs as readonly FeedData[]).map((data, i) => {
          const name = this.predict.external_input[i];
          if (name === undefined) throw new ArgumentError(`Predictor.run: ${inputs.length} inputs given, but predict_net has ${this.predict.external_input.length} external inputs`);
          return [name, data];
        })
      : Object.entries(inputs as Readonly<Record<string, FeedData>>);
    for (const [name] of entries) {
      if (!this.predict.external_input.includes(name)) {
        throw new ArgumentError(`Predictor.run: "${name}" is not an external input of predict_net (inputs: ${this.predict.external_input.join(', ')})`);
      }
    }
    for (const [name, data] of entries) await workspace.FeedBlob(name, data);
    if (!this.created) {
      await workspace.CreateNet(this.predict, true);
      this.created = true;
    }
    await workspace.RunNet(this.predict.name);
    return workspace.FetchBlobs(this.predict.external_output);
  }
}
