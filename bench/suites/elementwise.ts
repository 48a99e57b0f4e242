/**
 * elementwise: Add, Mul and WeightedSum (in place, as SGD uses it) over 16M floats, and the
 * broadcast forms (Add of a bias-like row of ROW floats, Add of a value per channel of an NCHW
 * tensor with CHANNELS channels, Mul by a scalar), in GB/s (bytes read + written: 12 per float, 8
 * for the broadcasts, whose row, channels or scalar are too small to count), against a
 * plain vec4 compute-shader copy of the same bytes on the same device (the adapter's practical
 * bandwidth) and against tfjs doing the same.
 */
import { core, workspace } from '../../src/index.js';
import { initGpu } from '../../src/runtime/gpu_context.js';
import { closeCheck, measure, measureNet, randomFloats, speedRatio, type CaseEnv, type CaseResult, type Check, type Measurement, type Suite } from '../harness.js';

const WORKGROUP = 256;
const LR = -0.01;
/** Length of the broadcast Add's row (a layer's bias). */
const ROW = 256;
/** The channel broadcast's NCHW shape after N: CHANNELS × PLANE (Caffe2's Add with broadcast=1, axis=1). */
const CHANNELS = 16;
const PLANE = [32, 32] as const;

/** The elementwise suite: 1M floats when quick, else 16M. */
export const elementwiseSuite: Suite = {
  name: 'elementwise',
  description: 'Add/Mul/WeightedSum and broadcast Add/Mul, GB/s, against a vec4 copy of the same bytes',
  cases: (config) => {
    const n = config.quick ? 1 << 20 : 1 << 24;
    return [{ name: `${n >> 20}M floats`, run: (env) => elementwiseCase(env, n) }];
  },
};

const COPY_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<f32>>;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let i = (wg.y * groups.x + wg.x) * ${WORKGROUP}u + lane;
  if (i < arrayLength(&dst)) {
    dst[i] = src[i];
  }
}
`;

/** The baseline: `n` floats copied as vec4s by a compute shader, n dispatches to one pass per sample. */
async function vec4Copy(env: CaseEnv, data: Float32Array<ArrayBuffer>): Promise<{ measurement: Measurement; check: Check }> {
  const { device } = await initGpu();
  const bytes = data.byteLength;
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const src = device.createBuffer({ size: bytes, usage, label: 'bench vec4 copy src' });
  const dst = device.createBuffer({ size: bytes, usage, label: 'bench vec4 copy dst' });
  const readback = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'bench vec4 copy readback' });
  try {
    device.queue.writeBuffer(src, 0, data);
    const module = device.createShaderModule({ code: COPY_WGSL, label: 'bench vec4 copy' });
    const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: 'bench vec4 copy' });
    const bindGroup = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: src } },
        { binding: 1, resource: { buffer: dst } },
      ],
    });
    const groups = Math.ceil(data.length / 4 / WORKGROUP);
    const gx = Math.min(groups, 65535);
    const gy = Math.ceil(groups / gx);
    const measurement = await measure(env.config, {
      impl: 'vec4 copy',
      role: 'baseline',
      unit: 'GB/s',
      work: 2 * bytes,
      async run(k) {
        const enc = device.createCommandEncoder({ label: 'bench vec4 copy' });
        const pass = enc.beginComputePass();
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, bindGroup);
        for (let i = 0; i < k; i++) pass.dispatchWorkgroups(gx, gy);
        pass.end();
        device.queue.submit([enc.finish()]);
        await device.queue.onSubmittedWorkDone();
      },
    });
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(dst, 0, readback, 0, bytes);
    device.queue.submit([enc.finish()]);
    await readback.mapAsync(GPUMapMode.READ);
    const got = new Float32Array(readback.getMappedRange().slice(0));
    readback.unmap();
    let diff = 0;
    for (let i = 0; i < data.length; i++) diff = Math.max(diff, Math.abs(got[i]! - data[i]!));
    return { measurement, check: closeCheck('vec4 copy copies every float', diff, 1, 0) };
  } finally {
    for (const b of [src, dst, readback]) b.destroy();
  }
}

/** A one-op net over the fed blobs, timed as RunNet(name, k): k dispatches in one pass. */
async function oursOp(env: CaseEnv, type: string, inputs: string[], output: string, bytes: number, label = type, args: Record<string, number> = {}): Promise<Measurement> {
  const name = `bench_${label.replace(/ /g, '_')}`;
  await workspace.CreateNet({ name, op: [core.CreateOperator(type, inputs, [output], args)], external_input: inputs, external_output: [output] }, true);
  return measureNet(env, `ours ${label}`, 'GB/s', name, bytes);
}

function maxDiff(got: ArrayLike<number>, expected: (i: number) => number): { diff: number; scale: number } {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < got.length; i++) {
    const e = expected(i);
    diff = Math.max(diff, Math.abs(got[i]! - e));
    scale = Math.max(scale, Math.abs(e));
  }
  return { diff, scale };
}

async function elementwiseCase(env: CaseEnv, n: number): Promise<CaseResult> {
  const a = randomFloats(1, n);
  const b = randomFloats(2, n);
  const bytes3 = 3 * 4 * n;
  env.note('vec4 copy');
  const copy = await vec4Copy(env, a);
  const checks: Check[] = [copy.check];

  workspace.ResetWorkspace();
  await workspace.FeedBlob('A', a, { shape: [n] });
  await workspace.FeedBlob('B', b, { shape: [n] });
  await workspace.FeedBlob('W', a, { shape: [n] });
  await workspace.FeedBlob('ONE', new Float32Array([1]), { shape: [1] });
  await workspace.FeedBlob('LR', new Float32Array([LR]), { shape: [1] });

  // WeightedSum first, on W = A as fed: one step checked, then timed (W keeps moving by LR·B).
  const wsName = 'bench_WeightedSum_check';
  await workspace.CreateNet({ name: wsName, op: [core.CreateOperator('WeightedSum', ['W', 'ONE', 'B', 'LR'], ['W'])], external_input: ['W', 'ONE', 'B', 'LR'], external_output: ['W'] }, true);
  await workspace.RunNet(wsName, 1);
  const ws1 = maxDiff((await workspace.FetchBlob('W')).data, (i) => Math.fround(a[i]! + Math.fround(b[i]! * Math.fround(LR))));
  checks.push(closeCheck('ours WeightedSum W = 1·W + LR·B in place', ws1.diff, ws1.scale, 1e-6));
  await workspace.DeleteNet(wsName);
  const oursWs = await oursOp(env, 'WeightedSum', ['W', 'ONE', 'B', 'LR'], 'W', bytes3);

  const oursAdd = await oursOp(env, 'Add', ['A', 'B'], 'C', bytes3);
  const add = maxDiff((await workspace.FetchBlob('C')).data, (i) => Math.fround(a[i]! + b[i]!));
  checks.push(closeCheck('ours Add C = A + B', add.diff, add.scale, 1e-6));
  const oursMul = await oursOp(env, 'Mul', ['A', 'B'], 'C', bytes3);
  const mul = maxDiff((await workspace.FetchBlob('C')).data, (i) => Math.fround(a[i]! * b[i]!));
  checks.push(closeCheck('ours Mul C = A * B', mul.diff, mul.scale, 1e-6));

  // The broadcast forms: A as [n / ROW, ROW] plus B's first row, A times B's first value.
  const bytes2 = 2 * 4 * n;
  await workspace.FeedBlob('A2', a, { shape: [n / ROW, ROW] });
  await workspace.FeedBlob('ROW', b.subarray(0, ROW), { shape: [ROW] });
  await workspace.FeedBlob('S', b.subarray(0, 1), { shape: [1] });
  const oursAddRow = await oursOp(env, 'Add', ['A2', 'ROW'], 'C', bytes2, 'Add row');
  const addRow = maxDiff((await workspace.FetchBlob('C')).data, (i) => Math.fround(a[i]! + b[i % ROW]!));
  checks.push(closeCheck(`ours Add C = A + row of ${ROW}`, addRow.diff, addRow.scale, 1e-6));
  const plane = PLANE[0] * PLANE[1];
  await workspace.FeedBlob('A4', a, { shape: [n / (CHANNELS * plane), CHANNELS, ...PLANE] });
  await workspace.FeedBlob('CH', b.subarray(0, CHANNELS), { shape: [CHANNELS] });
  const oursAddChannel = await oursOp(env, 'Add', ['A4', 'CH'], 'C', bytes2, 'Add channel', { broadcast: 1, axis: 1 });
  const addChannel = maxDiff((await workspace.FetchBlob('C')).data, (i) => Math.fround(a[i]! + b[Math.floor(i / plane) % CHANNELS]!));
  checks.push(closeCheck(`ours Add C = A + B [${CHANNELS}] at axis 1`, addChannel.diff, addChannel.scale, 1e-6));
  const oursMulScalar = await oursOp(env, 'Mul', ['A', 'S'], 'C', bytes2, 'Mul scalar');
  const mulScalar = maxDiff((await workspace.FetchBlob('C')).data, (i) => Math.fround(a[i]! * b[0]!));
  checks.push(closeCheck('ours Mul C = A * scalar', mulScalar.diff, mulScalar.scale, 1e-6));
  workspace.ResetWorkspace();

  const tfjs = await tfjsElementwise(env, a, b, bytes3, bytes2);
  const ours = [oursAdd, oursMul, oursWs, oursAddRow, oursAddChannel, oursMulScalar];
  return {
    suite: 'elementwise',
    case: `${n >> 20}M floats`,
    params: { floats: n, bytesPerFloat: 12, broadcastBytesPerFloat: 8, copyBytesPerFloat: 8, row: ROW, channels: CHANNELS },
    measurements: [copy.measurement, ...ours, ...tfjs],
    ratios: ours.flatMap((m, i) => [speedRatio(m, copy.measurement), speedRatio(m, tfjs[i]!)]),
    checks,
  };
}

/** tfjs's add, mul, WeightedSum as tfjs writes it (mul, mul, add), and the broadcast adds and mul. */
async function tfjsElementwise(env: CaseEnv, a: Float32Array, b: Float32Array, bytes: number, broadcastBytes: number): Promise<Measurement[]> {
  const { tf } = env.peer;
  const ta = tf.tensor1d(a);
  const tb = tf.tensor1d(b);
  const ta2 = tf.tensor2d(a, [a.length / ROW, ROW]);
  const row = tf.tensor1d(b.subarray(0, ROW));
  const ta4 = tf.tensor4d(a, [a.length / (CHANNELS * PLANE[0] * PLANE[1]), CHANNELS, ...PLANE]);
  const ch = tf.tensor4d(b.subarray(0, CHANNELS), [1, CHANNELS, 1, 1]);
  const s = tf.scalar(b[0]!);
  const one = tf.scalar(1);
  const lr = tf.scalar(LR);
  let w: ReturnType<typeof tf.add> = tf.tensor1d(a);
  const timeOp = (impl: string, op: () => void, work = bytes): Promise<Measurement> => {
    env.note(impl);
    return measure(env.config, {
      impl,
      role: 'tfjs',
      unit: 'GB/s',
      work,
      async run(k) {
        for (let i = 0; i < k; i++) op();
        await env.peer.sync();
      },
    });
  };
  try {
    return [
      await timeOp('tfjs add', () => tf.add(ta, tb).dispose()),
      await timeOp('tfjs mul', () => tf.mul(ta, tb).dispose()),
      await timeOp('tfjs mul+mul+add', () => {
        const next = tf.tidy(() => tf.add(tf.mul(w, one), tf.mul(tb, lr)));
        w.dispose();
        w = next;
      }),
      await timeOp('tfjs add row', () => tf.add(ta2, row).dispose(), broadcastBytes),
      await timeOp('tfjs add channel', () => tf.add(ta4, ch).dispose(), broadcastBytes),
      await timeOp('tfjs mul scalar', () => tf.mul(ta, s).dispose(), broadcastBytes),
    ];
  } finally {
    for (const t of [ta, tb, ta2, row, ta4, ch, s, one, lr, w]) t.dispose();
  }
}
