/**
 * Chaos: random sequences of workspace calls, some invalid, some not awaited, checked call by call
 * against a sequential model of the same calls (what Caffe2's synchronous API would do).
 */
import { describe, expect, it } from 'vitest';
import { core, workspace, ArgumentError, MissingBlobError, MissingNetError, ShapeError, type NetDef } from '../../src/index.js';
import { makeRng, useGpu } from '../helpers/gpu.js';

useGpu();

interface ModelBlob {
  shape: number[];
  values: number[];
}
interface ModelNet {
  input: string;
  output: string;
  scale: number;
}

/** What a call should give: a value (compared as JSON) or an error class. */
type Expected = { value: unknown } | { error: new (...args: never[]) => Error };

const WORKSPACES = ['default', 'chaos_b'];
const INPUTS = ['a0', 'a1', 'a2'];
const OUTPUTS = ['b0', 'b1'];
const NETS = ['n0', 'n1', 'n2'];
const SCALES = [2, 0.5, -1];

/** A NetDef named exactly `name` (core.Net would make repeated names unique, as Caffe2 does). */
function scaleNet(name: string, n: ModelNet): NetDef {
  return { name, op: [core.CreateOperator('Scale', [n.input], [n.output], { scale: n.scale })], external_input: [n.input], external_output: [n.output] };
}

async function runSequence(seed: number, calls: number): Promise<void> {
  const rng = makeRng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
  // One model per workspace; calls go to the one current when they are made.
  const models = new Map(WORKSPACES.map((w) => [w, { blobs: new Map<string, ModelBlob>(), nets: new Map<string, ModelNet>() }]));
  let current = WORKSPACES[0]!;
  let { blobs, nets } = models.get(current)!;
  /** Each call's outcome, captured at once so an un-awaited failure is never an unhandled rejection. */
  type Outcome = { value: unknown } | { error: unknown };
  const pending: Array<{ what: string; outcome: Promise<Outcome>; expected: Expected }> = [];
  const check = async (what: string, outcome: Promise<Outcome>, expected: Expected): Promise<void> => {
    const got = await outcome;
    if ('error' in expected) {
      expect('error' in got ? got.error : got.value, `${what} should fail`).toBeInstanceOf(expected.error);
    } else {
      expect('error' in got ? got.error : undefined, `${what} should succeed`).toBeUndefined();
      expect(JSON.stringify('value' in got ? got.value : null), what).toBe(JSON.stringify(expected.value));
    }
  };
  const call = async (what: string, promise: Promise<unknown>, expected: Expected): Promise<void> => {
    const outcome = promise.then(
      (value): Outcome => ({ value }),
      (error: unknown): Outcome => ({ error }),
    );
    if (rng() < 0.5) await check(what, outcome, expected);
    else pending.push({ what, outcome, expected });
  };
  const fetched = (name: string): unknown => {
    const b = blobs.get(name)!;
    return { shape: b.shape, values: b.values };
  };

  for (const w of [...WORKSPACES].reverse()) {
    workspace.SwitchWorkspace(w, true);
    workspace.ResetWorkspace();
  }
  for (let i = 0; i < calls; i++) {
    const r = rng();
    const tag = `#${i} (seed ${seed})`;
    if (r < 0.2) {
      const name = pick(INPUTS);
      const shape = rng() < 0.5 ? [1 + Math.floor(rng() * 5)] : [1 + Math.floor(rng() * 3), 2];
      const values = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.floor(rng() * 33 - 16) / 4);
      blobs.set(name, { shape, values });
      await call(`${tag} FeedBlob ${name}`, workspace.FeedBlob(name, new Float32Array(values), shape), { value: true });
    } else if (r < 0.27) {
      const bad = rng() < 0.5;
      await call(`${tag} bad FeedBlob`, workspace.FeedBlob(pick(INPUTS), bad ? [1] : 'text' as never, bad ? [-1, -1] : undefined), {
        error: bad ? ShapeError : ArgumentError,
      });
    } else if (r < 0.45) {
      const name = rng() < 0.9 ? pick([...INPUTS, ...OUTPUTS]) : 'nope';
      const p = workspace.FetchBlob(name).then((t) => ({ shape: [...t.shape], values: Array.from(t.data) }));
      await call(`${tag} FetchBlob ${name}`, p, blobs.has(name) ? { value: fetched(name) } : { error: MissingBlobError });
    } else if (r < 0.6) {
      const name = pick(NETS);
      const n: ModelNet = { input: pick(INPUTS), output: pick(OUTPUTS), scale: pick(SCALES) };
      const overwrite = rng() < 0.6;
      const input = blobs.get(n.input);
      let expected: Expected;
      if (nets.has(name) && !overwrite) expected = { error: ArgumentError };
      else if (!input) expected = { error: MissingBlobError };
      else {
        expected = { value: true };
        nets.set(name, n);
        const out = blobs.get(n.output);
        if (!out || JSON.stringify(out.shape) !== JSON.stringify(input.shape)) {
          blobs.set(n.output, { shape: [...input.shape], values: input.values.map(() => 0) });
        }
      }
      await call(`${tag} CreateNet ${name}`, workspace.CreateNet(scaleNet(name, n), overwrite), expected);
    } else if (r < 0.78) {
      const name = rng() < 0.9 ? pick(NETS) : 'no_net';
      const iters = 1 + Math.floor(rng() * 3);
      const n = nets.get(name);
      if (n) {
        const input = blobs.get(n.input)!;
        blobs.set(n.output, { shape: [...input.shape], values: input.values.map((v) => v * n.scale) });
      }
      await call(`${tag} RunNet ${name}`, workspace.RunNet(name, iters), n ? { value: true } : { error: MissingNetError });
    } else if (r < 0.85) {
      const n: ModelNet = { input: pick(INPUTS), output: pick(OUTPUTS), scale: pick(SCALES) };
      const input = blobs.get(n.input);
      if (input) blobs.set(n.output, { shape: [...input.shape], values: input.values.map((v) => v * n.scale) });
      await call(`${tag} RunNetOnce`, workspace.RunNetOnce(scaleNet(`once${i}`, n)), input ? { value: true } : { error: MissingBlobError });
    } else if (r < 0.9) {
      const name = pick(NETS);
      await call(`${tag} DeleteNet ${name}`, workspace.DeleteNet(name), { value: nets.delete(name) });
    } else if (r < 0.92) {
      workspace.ResetWorkspace();
      blobs.clear();
      nets.clear();
    } else if (r < 0.95) {
      current = pick(WORKSPACES);
      workspace.SwitchWorkspace(current);
      ({ blobs, nets } = models.get(current)!);
    } else {
      await workspace.Sync();
      for (const p of pending.splice(0)) await check(p.what, p.outcome, p.expected);
      expect(workspace.Blobs(), `${tag} Blobs()`).toEqual([...blobs.keys()].sort());
      expect(workspace.Nets(), `${tag} Nets()`).toEqual([...nets.keys()].sort());
    }
  }
  for (const p of pending) await check(p.what, p.outcome, p.expected);
  await workspace.Sync();
  for (const w of WORKSPACES) {
    workspace.SwitchWorkspace(w);
    ({ blobs, nets } = models.get(w)!);
    expect(workspace.Blobs(), `final blobs of ${w} (seed ${seed})`).toEqual([...blobs.keys()].sort());
    for (const name of blobs.keys()) {
      const t = await workspace.FetchBlob(name);
      expect({ shape: [...t.shape], values: Array.from(t.data) }, `final ${name} in ${w} (seed ${seed})`).toEqual(fetched(name));
    }
  }
  workspace.SwitchWorkspace('default');
}

describe('chaos: random call sequences against a sequential model', () => {
  it('30 sequences of 80 calls over two workspaces, half of them not awaited, leak nothing', async () => {
    // Each workspace holds its RNG state buffer once it has met the GPU: count those in the base.
    for (const w of [...WORKSPACES].reverse()) {
      workspace.SwitchWorkspace(w, true);
      workspace.ResetWorkspace();
      await workspace.Stats();
    }
    const base = await workspace.Stats();
    for (let seed = 1; seed <= 30; seed++) await runSequence(seed, 80);
    for (const w of [...WORKSPACES].reverse()) {
      workspace.SwitchWorkspace(w);
      workspace.ResetWorkspace();
    }
    const end = await workspace.Stats();
    expect(end.liveBuffers).toBe(base.liveBuffers);
    expect(end.liveBytes).toBe(base.liveBytes);
  }, 60_000);
});
