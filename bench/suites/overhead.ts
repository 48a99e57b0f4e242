/**
 * overhead: what the executor costs apart from the kernels' work, on 4-float blobs: µs per dispatch
 * inside one RunNet, per RunNet call, and per FetchBlob round trip; tfjs's per-op cost and an
 * op + readback round trip on GPU-resident tensors alongside.
 */
import { core, workspace, type NetDef, type RuntimeStats } from '../../src/index.js';
import { configureFusion, fusionSettings } from '../../src/runtime/fusion.js';
import { measure, speedRatio, type CaseEnv, type CaseResult, type Check, type Suite } from '../harness.js';

const OPS_PER_NET = 256;
const TINY = new Float32Array([1, 2, 3, 4]);

/** The overhead suite (the same in quick mode: it is small already; quick only shortens sampling). */
export const overheadSuite: Suite = {
  name: 'overhead',
  description: 'µs per dispatch, per RunNet call, per FetchBlob round trip',
  cases: () => [
    { name: `dispatch (${OPS_PER_NET}-op net)`, run: dispatchCase },
    { name: 'RunNet call (1-op net)', run: runNetCase },
    { name: 'readback round trip', run: readbackCase },
  ],
};

/** A net of `Add(input, ONE) -> output` ops. */
function netDef(name: string, ops: [string, string][]): NetDef {
  return {
    name,
    op: ops.map(([i, o]) => core.CreateOperator('Add', [i, 'ONE'], [o])),
    external_input: ['X', 'ONE'],
    external_output: [ops[ops.length - 1]![1]],
  };
}

async function feedTiny(): Promise<void> {
  workspace.ResetWorkspace();
  await workspace.FeedBlob('X', TINY, { shape: [4] });
  await workspace.FeedBlob('ONE', new Float32Array([1, 1, 1, 1]), { shape: [4] });
}

/** Tallies what the timed calls should add to the runtime's counters. */
interface Tally {
  submits: number;
  dispatches: number;
  readbacks: number;
}

async function countersCheck(name: string, before: RuntimeStats, expected: Tally): Promise<Check> {
  const after = await workspace.Stats();
  const got = { submits: after.submits - before.submits, dispatches: after.dispatches - before.dispatches, readbacks: after.mapAsyncs - before.mapAsyncs };
  return {
    name,
    passed: got.submits === expected.submits && got.dispatches === expected.dispatches && got.readbacks === expected.readbacks,
    detail: `expected ${expected.submits} submits, ${expected.dispatches} dispatches, ${expected.readbacks} readbacks; counted ${got.submits}, ${got.dispatches}, ${got.readbacks}`,
  };
}

async function dispatchCase(env: CaseEnv): Promise<CaseResult> {
  await feedTiny();
  // A chain Y_i = Y_{i-1} + ONE, so every dispatch depends on the one before, as in a real net.
  const ops = Array.from({ length: OPS_PER_NET }, (_, i): [string, string] => [i === 0 ? 'X' : `Y${i - 1}`, `Y${i}`]);
  const name = 'bench_overhead_chain';
  // The suite measures the cost of a dispatch: the chain must not be fused into one kernel.
  const fusion = fusionSettings().enabled;
  configureFusion({ enabled: false });
  try {
    await workspace.CreateNet(netDef(name, ops), true);
  } finally {
    configureFusion({ enabled: fusion });
  }
  const tally: Tally = { submits: 0, dispatches: 0, readbacks: 0 };
  const before = await workspace.Stats();
  env.note('ours RunNet(n)');
  const ours = await measure(env.config, {
    impl: 'ours dispatch in RunNet(n)',
    role: 'ours',
    unit: 'µs',
    perIteration: OPS_PER_NET,
    async run(k) {
      await workspace.RunNet(name, k);
      tally.submits++;
      tally.dispatches += k * OPS_PER_NET;
      await workspace.Sync();
    },
  });
  const checks = [await countersCheck('ours: one submit per RunNet, one dispatch per op', before, tally)];
  const last = (await workspace.FetchBlob(`Y${OPS_PER_NET - 1}`)).data;
  checks.push({
    name: `ours: the ${OPS_PER_NET}-op chain computed X + ${OPS_PER_NET}`,
    passed: TINY.every((v, i) => last[i] === v + OPS_PER_NET),
    detail: `[${[...last].join(', ')}]`,
  });

  const { tf } = env.peer;
  env.note('tfjs op');
  const peer = await env.peer.withFlag('WEBGPU_CPU_FORWARD', false, async () => {
    const x = tf.tidy(() => tf.add(tf.tensor1d(TINY), 0));
    const one = tf.onesLike(x);
    try {
      return await measure(env.config, {
        impl: 'tfjs op (add)',
        role: 'tfjs',
        unit: 'µs',
        perIteration: OPS_PER_NET,
        async run(k) {
          for (let i = 0; i < k; i++) {
            tf.tidy(() => {
              let y = x;
              for (let j = 0; j < OPS_PER_NET; j++) y = tf.add(y, one);
            });
          }
          await env.peer.sync();
        },
      });
    } finally {
      x.dispose();
      one.dispose();
    }
  });
  return {
    suite: 'overhead',
    case: `dispatch (${OPS_PER_NET}-op net)`,
    params: { opsPerNet: OPS_PER_NET, floats: TINY.length },
    measurements: [ours, peer],
    ratios: [speedRatio(ours, peer)],
    checks,
  };
}

async function runNetCase(env: CaseEnv): Promise<CaseResult> {
  await feedTiny();
  const name = 'bench_overhead_one';
  await workspace.CreateNet(netDef(name, [['X', 'Y']]), true);
  const tally: Tally = { submits: 0, dispatches: 0, readbacks: 0 };
  const before = await workspace.Stats();
  env.note('ours n × RunNet(1)');
  const ours = await measure(env.config, {
    impl: 'ours RunNet(1) call',
    role: 'ours',
    unit: 'µs',
    async run(k) {
      for (let i = 0; i < k; i++) await workspace.RunNet(name, 1);
      tally.submits += k;
      tally.dispatches += k;
      await workspace.Sync();
    },
  });
  return {
    suite: 'overhead',
    case: 'RunNet call (1-op net)',
    params: { floats: TINY.length },
    measurements: [ours],
    ratios: [],
    checks: [await countersCheck('ours: one submit and one dispatch per RunNet(1)', before, tally)],
  };
}

async function readbackCase(env: CaseEnv): Promise<CaseResult> {
  await feedTiny();
  const name = 'bench_overhead_fetch';
  await workspace.CreateNet(netDef(name, [['X', 'Y']]), true);
  await workspace.RunNet(name, 1);
  const tally: Tally = { submits: 0, dispatches: 0, readbacks: 0 };
  const before = await workspace.Stats();
  let wrong = 0;
  env.note('ours FetchBlob');
  const fetch = await measure(env.config, {
    impl: 'ours FetchBlob',
    role: 'ours',
    unit: 'µs',
    async run(k) {
      for (let i = 0; i < k; i++) {
        const y = (await workspace.FetchBlob('Y')).data;
        if (y[3] !== TINY[3]! + 1) wrong++;
      }
      tally.submits += k;
      tally.readbacks += k;
    },
  });
  env.note('ours RunNet(1) + FetchBlob');
  const opFetch = await measure(env.config, {
    impl: 'ours RunNet(1) + FetchBlob',
    role: 'ours',
    unit: 'µs',
    async run(k) {
      for (let i = 0; i < k; i++) {
        await workspace.RunNet(name, 1);
        const y = (await workspace.FetchBlob('Y')).data;
        if (y[3] !== TINY[3]! + 1) wrong++;
      }
      tally.submits += 2 * k;
      tally.dispatches += k;
      tally.readbacks += k;
    },
  });
  const checks: Check[] = [
    await countersCheck('ours: one submit and one mapAsync per FetchBlob', before, tally),
    { name: 'ours: every FetchBlob returned X + 1', passed: wrong === 0, detail: `${wrong} wrong reads` },
  ];

  const { tf } = env.peer;
  env.note('tfjs op + data()');
  let tfWrong = 0;
  const peer = await env.peer.withFlag('WEBGPU_CPU_FORWARD', false, async () => {
    const x = tf.tidy(() => tf.add(tf.tensor1d(TINY), 0));
    const one = tf.onesLike(x);
    try {
      return await measure(env.config, {
        impl: 'tfjs add + data()',
        role: 'tfjs',
        unit: 'µs',
        async run(k) {
          for (let i = 0; i < k; i++) {
            const y = tf.add(x, one);
            const v = await y.data();
            y.dispose();
            if (v[3] !== TINY[3]! + 1) tfWrong++;
          }
        },
      });
    } finally {
      x.dispose();
      one.dispose();
    }
  });
  checks.push({ name: 'tfjs: every data() returned x + 1', passed: tfWrong === 0, detail: `${tfWrong} wrong reads` });
  return {
    suite: 'overhead',
    case: 'readback round trip',
    params: { floats: TINY.length },
    measurements: [fetch, opFetch, peer],
    ratios: [speedRatio(opFetch, peer)],
    checks,
  };
}
