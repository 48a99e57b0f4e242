/**
 * LearningRate: LR = base_lr · f(iter) for every Caffe2 policy, evaluated in f32 by a GPU kernel from
 * the int32 iteration blob, so the schedule follows Iter with nothing uploaded per iteration. The
 * policy becomes a code and its arguments a uniform struct, one "slot" per (sub-)policy; the table
 * below is the one place that decides how each policy's arguments are packed, checked and
 * computed on the host (float64 reference).
 */
import type { ArgValue } from '../core/netdef.js';
import { INT32_MAX, INT32_MIN } from '../core/dtype.js';
import { ArgumentError, didYouMean, fmtShape } from '../core/errors.js';
import { arg, type ArgKind } from './args.js';
import { defineOp, f32Lit } from './registry.js';
import { size } from './shape.js';

const schema = {
  base_lr: arg.float(),
  policy: arg.string(),
  lr_scale: arg.float(),
  sub_policy_num_iters: arg.ints(),
  // Policy arguments carry no schema default: Caffe2's defaults differ between policies (max_lr is
  // 0.005 for cyclical but 0.5 for cosine), so each policy below supplies its own.
  stepsize: arg.int(),
  gamma: arg.float(),
  power: arg.float(),
  max_iter: arg.int(),
  start_multiplier: arg.float(),
  num_iter: arg.int(),
  multiplier: arg.float(),
  m1: arg.float(),
  n1: arg.int(),
  m2: arg.float(),
  n2: arg.int(),
  m3: arg.float(),
  active_first: arg.bool(),
  active_period: arg.int(),
  inactive_period: arg.int(),
  end_multiplier: arg.float(),
  multiplier_1: arg.float(),
  multiplier_2: arg.float(),
  num_iter_1: arg.int(),
  num_iter_2: arg.int(),
  max_lr: arg.float(),
  decay: arg.float(),
  min_lr: arg.float(),
  period: arg.int(),
  t_mult: arg.float(),
  lr_shrink: arg.float(),
  start_warmup_multiplier: arg.float(),
  constant_warmup_num_iter: arg.int(),
  linear_warmup_num_iter: arg.int(),
  cosine_max_lr: arg.float(),
  cosine_min_lr: arg.float(),
  cosine_period: arg.int(),
  cosine_t_mult: arg.float(),
  cosine_lr_shrink: arg.float(),
  cyclical_max_lr: arg.float(),
  cyclical_step_size: arg.int(),
  cyclical_decay: arg.float(),
} as const;

/** Most sub-policies a composite schedule may have (the kernel's uniform holds this many slots). */
export const MAX_SUB_POLICIES = 8;

/** A policy argument's value as the op sees it (floats rounded to f32, as Caffe2 reads them). */
type Get = (name: string) => number;

interface Policy {
  code: number;
  /** Caffe2's defaults for the arguments the policy reads. */
  defaults: Readonly<Record<string, number>>;
  /** The slot's float (at most 8) and int (at most 4) uniforms, in the order the kernel reads them. */
  pack(v: Get): { f: number[]; i: number[] };
  /** f(it) in float64. */
  f(it: number, v: Get, baseLr: number): number;
  /** Arguments the kernel divides by or that make the schedule meaningless: a message, or null. */
  check?(v: Get): string | null;
}

const clampI32 = (v: number): number => Math.min(INT32_MAX, Math.max(INT32_MIN, v));

function linearWarmup(it: number, start: number, n: number): number {
  return it >= n ? 1 : start + ((1 - start) * it) / n;
}

function constantThenLinear(it: number, start: number, c: number, l: number): number {
  if (it < c) return start;
  if (it < c + l) return linearWarmup(it - c, start, l);
  return 1;
}

function cyclical(it: number, maxLr: number, stepsize: number, decay: number, baseLr: number): number {
  const half = Math.trunc(it / (2 * stepsize));
  const x = Math.abs(it / stepsize - 2 * (half + 1) + 1);
  return 1 + (Math.abs(maxLr) / Math.abs(baseLr) - 1) * Math.max(0, 1 - x) * decay ** half;
}

function cosine(it: number, maxLr: number, minLr: number, period: number, tMult: number, shrink: number): number {
  let k: number;
  let tI: number;
  let tCur: number;
  if (tMult !== 1) {
    const restart = (j: number): number => ((1 - tMult ** j) / (1 - tMult)) * period;
    k = Math.floor(Math.log(1 - (it / period) * (1 - tMult)) / Math.log(tMult));
    if (it < restart(k)) k -= 1;
    else if (it >= restart(k + 1)) k += 1;
    tI = tMult ** k * period;
    tCur = it - restart(k);
  } else {
    k = Math.floor(it / period);
    tI = period;
    tCur = it - k * period;
  }
  const s = shrink ** k;
  return minLr * s + 0.5 * (maxLr * s - minLr * s) * (1 + Math.cos((Math.PI * tCur) / tI));
}

const positive = (v: Get, ...names: string[]): string | null => {
  const bad = names.find((n) => !(v(n) > 0));
  return bad ? `${bad} must be positive, got ${v(bad)}` : null;
};

const warmupDefaults = { start_warmup_multiplier: 0.1, constant_warmup_num_iter: 10000000, linear_warmup_num_iter: 10000000 };

/** [C, C + L, L] of the constant-then-linear warmup, with C + L kept within int32. */
const warmupInts = (v: Get): number[] => [
  v('constant_warmup_num_iter'),
  clampI32(v('constant_warmup_num_iter') + v('linear_warmup_num_iter')),
  v('linear_warmup_num_iter'),
];

const POLICIES: Readonly<Record<string, Policy>> = {
  fixed: { code: 0, defaults: {}, pack: () => ({ f: [], i: [] }), f: () => 1 },
  step: {
    code: 1,
    defaults: { stepsize: 0, gamma: 0 },
    pack: (v) => ({ f: [v('gamma')], i: [v('stepsize')] }),
    f: (it, v) => v('gamma') ** Math.trunc(it / v('stepsize')),
    check: (v) => positive(v, 'stepsize'),
  },
  exp: { code: 2, defaults: { gamma: 0 }, pack: (v) => ({ f: [v('gamma')], i: [] }), f: (it, v) => v('gamma') ** it },
  inv: {
    code: 3,
    defaults: { gamma: 0, power: 0 },
    pack: (v) => ({ f: [v('gamma'), v('power')], i: [] }),
    f: (it, v) => (1 + v('gamma') * it) ** -v('power'),
  },
  poly: {
    code: 4,
    defaults: { power: 0, max_iter: -1 },
    // Caffe2 holds max_iter unsigned: the default -1 is 2^64 - 1, which leaves f ≈ 1.
    pack: (v) => ({ f: [v('power'), polyMaxIter(v)], i: [] }),
    f: (it, v) => (1 - it / Math.fround(polyMaxIter(v))) ** v('power'),
  },
  linearWarmup: {
    code: 5,
    defaults: { start_multiplier: 0, num_iter: 0 },
    pack: (v) => ({ f: [v('start_multiplier')], i: [v('num_iter')] }),
    f: (it, v) => linearWarmup(it, v('start_multiplier'), v('num_iter')),
  },
  constantWarmup: {
    code: 6,
    defaults: { multiplier: 0.5, num_iter: 0 },
    pack: (v) => ({ f: [v('multiplier')], i: [v('num_iter')] }),
    f: (it, v) => (it >= v('num_iter') ? 1 : v('multiplier')),
  },
  pieceWarmup: {
    code: 7,
    defaults: { m1: 0.5, n1: 0, m2: 0.5, n2: 0, m3: 0.5 },
    pack: (v) => ({ f: [v('m1'), v('m2'), v('m3')], i: [v('n1'), v('n2')] }),
    f: (it, v) => (it < v('n1') ? v('m1') : it < v('n2') ? v('m2') : v('m3')),
  },
  alter: {
    code: 8,
    defaults: { active_first: 1, active_period: -1, inactive_period: -1 },
    pack: (v) => ({ f: [], i: [v('active_first'), v('active_period'), v('inactive_period')] }),
    f: (it, v) => {
      const first = v('active_first') !== 0;
      const r = it % (v('active_period') + v('inactive_period'));
      return (r < (first ? v('active_period') : v('inactive_period'))) === first ? 1 : 0;
    },
    check: (v) => {
      const a = v('active_period');
      const b = v('inactive_period');
      if (a < 0 || b < 0 || a + b <= 0 || a + b > INT32_MAX) {
        return `active_period (${a}) and inactive_period (${b}) must be non-negative with a positive sum that fits int32`;
      }
      return null;
    },
  },
  hill: {
    code: 9,
    defaults: { num_iter: 0, start_multiplier: 0, gamma: 0, power: 0, end_multiplier: 0 },
    pack: (v) => ({ f: [v('start_multiplier'), v('gamma'), v('power'), v('end_multiplier')], i: [v('num_iter')] }),
    f: (it, v) =>
      it < v('num_iter')
        ? linearWarmup(it, v('start_multiplier'), v('num_iter'))
        : Math.max(v('end_multiplier'), (1 + v('gamma') * (it - v('num_iter'))) ** -v('power')),
  },
  gate: {
    code: 10,
    defaults: { multiplier_1: 1, multiplier_2: 1, num_iter: 0 },
    pack: (v) => ({ f: [v('multiplier_1'), v('multiplier_2')], i: [v('num_iter')] }),
    f: (it, v) => (it >= v('num_iter') ? v('multiplier_2') : v('multiplier_1')),
  },
  slope: {
    code: 11,
    defaults: { num_iter_1: 0, multiplier_1: 0, num_iter_2: 0, multiplier_2: 0 },
    pack: (v) => ({ f: [v('multiplier_1'), v('multiplier_2')], i: [v('num_iter_1'), v('num_iter_2')] }),
    f: (it, v) => {
      const [n1, n2, m1, m2] = [v('num_iter_1'), v('num_iter_2'), v('multiplier_1'), v('multiplier_2')];
      return it < n1 ? m1 : Math.max(m2, m1 + ((it - n1) * (m2 - m1)) / (n2 - n1));
    },
    check: (v) =>
      v('num_iter_2') > v('num_iter_1') ? null : `num_iter_2 (${v('num_iter_2')}) must be greater than num_iter_1 (${v('num_iter_1')})`,
  },
  cyclical: {
    code: 12,
    defaults: { max_lr: 0.005, stepsize: 0, decay: 1 },
    pack: (v) => ({ f: [v('max_lr'), v('decay')], i: [v('stepsize')] }),
    f: (it, v, baseLr) => cyclical(it, v('max_lr'), v('stepsize'), v('decay'), baseLr),
    check: (v) => positive(v, 'stepsize'),
  },
  cosine: {
    code: 13,
    defaults: { max_lr: 0.5, min_lr: 0.1, period: 50, t_mult: 1, lr_shrink: 0.99 },
    pack: (v) => ({ f: [v('max_lr'), v('min_lr'), v('t_mult'), v('lr_shrink')], i: [v('period')] }),
    f: (it, v) => cosine(it, v('max_lr'), v('min_lr'), v('period'), v('t_mult'), v('lr_shrink')),
    check: (v) => positive(v, 'period', 't_mult'),
  },
  constantThenLinearWarmup: {
    code: 14,
    defaults: warmupDefaults,
    pack: (v) => ({ f: [v('start_warmup_multiplier')], i: warmupInts(v) }),
    f: (it, v) => constantThenLinear(it, v('start_warmup_multiplier'), v('constant_warmup_num_iter'), v('linear_warmup_num_iter')),
  },
  compositeCosine: {
    code: 15,
    defaults: { ...warmupDefaults, cosine_max_lr: 0.5, cosine_min_lr: 0.1, cosine_period: 50, cosine_t_mult: 1, cosine_lr_shrink: 0.99 },
    pack: (v) => ({
      f: [v('start_warmup_multiplier'), v('cosine_max_lr'), v('cosine_min_lr'), v('cosine_t_mult'), v('cosine_lr_shrink')],
      i: [...warmupInts(v), v('cosine_period')],
    }),
    f: (it, v) => {
      const cl = v('constant_warmup_num_iter') + v('linear_warmup_num_iter');
      if (it < cl) return constantThenLinear(it, v('start_warmup_multiplier'), v('constant_warmup_num_iter'), v('linear_warmup_num_iter'));
      return cosine(it - cl, v('cosine_max_lr'), v('cosine_min_lr'), v('cosine_period'), v('cosine_t_mult'), v('cosine_lr_shrink'));
    },
    check: (v) => positive(v, 'cosine_period', 'cosine_t_mult'),
  },
  compositeCyclical: {
    code: 16,
    defaults: { ...warmupDefaults, cyclical_max_lr: 0.05, cyclical_step_size: 1000000, cyclical_decay: 1 },
    pack: (v) => ({
      f: [v('start_warmup_multiplier'), v('cyclical_max_lr'), v('cyclical_decay')],
      i: [...warmupInts(v), v('cyclical_step_size')],
    }),
    f: (it, v, baseLr) => {
      const cl = v('constant_warmup_num_iter') + v('linear_warmup_num_iter');
      if (it < cl) return constantThenLinear(it, v('start_warmup_multiplier'), v('constant_warmup_num_iter'), v('linear_warmup_num_iter'));
      return cyclical(it - cl, v('cyclical_max_lr'), v('cyclical_step_size'), v('cyclical_decay'), baseLr);
    },
    check: (v) => positive(v, 'cyclical_step_size'),
  },
};

function polyMaxIter(v: Get): number {
  return Number(BigInt.asUintN(64, BigInt(v('max_iter'))));
}

const POLICY_ARG_KINDS: Readonly<Record<string, ArgKind>> = Object.fromEntries(
  Object.entries(schema)
    .filter(([name]) => !['base_lr', 'policy', 'lr_scale', 'sub_policy_num_iters'].includes(name))
    .map(([name, s]) => [name, s.kind]),
);

const SUB_ARG = /^sub_policy_(\d+)_(.+)$/;

/** Kinds of `sub_policy_<k>_<arg>`: the sub-policy's name, its lr_scale, or any policy argument. */
function subPolicyArgKind(name: string): ArgKind | undefined {
  const m = SUB_ARG.exec(name);
  if (!m) return undefined;
  if (m[2] === 'policy') return 'string';
  if (m[2] === 'lr_scale') return 'float';
  return POLICY_ARG_KINDS[m[2]!];
}

/** One evaluated (sub-)policy: what the kernel's slot k receives, and how the reference computes it. */
interface Slot {
  policy: Policy;
  get: Get;
  start: number;
  scale: number;
}

type Raw = Readonly<Record<string, ArgValue | undefined>>;

/** Resolves the policy (or composite sub-policies) into slots, checking every argument on the host. */
function resolveSlots(args: Raw, extra: Raw, fail: (message: string) => never): Slot[] {
  if (args.base_lr === undefined) fail('base_lr is required (Caffe2: "Base learning rate must be set.")');
  const policyName = args.policy as string | undefined;
  if (!policyName) fail('policy is required (Caffe2: "Must specify a learning rate policy.")');
  const lookup = (name: string, where: string): Policy =>
    POLICIES[name] ?? fail(`Unknown learning rate policy: ${name}${where}.${didYouMean(name, Object.keys(POLICIES))}`);
  const getter = (policy: Policy, values: Raw, prefix: string, label: string): Get => {
    const get = (name: string): number => {
      const v = (values[prefix + name] as number | undefined) ?? policy.defaults[name]!;
      return POLICY_ARG_KINDS[name] === 'float' ? Math.fround(v) : v;
    };
    for (const name of Object.keys(policy.defaults)) {
      const v = get(name);
      if (POLICY_ARG_KINDS[name] === 'int' && name !== 'max_iter' && (v < INT32_MIN || v > INT32_MAX)) {
        fail(`argument ${prefix}${name}=${v} does not fit int32 (iterations are int32 here)`);
      }
    }
    const bad = policy.check?.(get);
    if (bad) fail(`${label}: ${bad}`);
    return get;
  };
  const subNames = Object.keys(extra).filter((n) => SUB_ARG.test(n));
  if (policyName !== 'composite') {
    if (subNames.length) fail(`argument ${subNames[0]} applies only to policy "composite", not "${policyName}"`);
    const policy = lookup(policyName!, '');
    return [{ policy, get: getter(policy, args, '', `policy ${policyName}`), start: 1, scale: Math.fround((args.lr_scale as number | undefined) ?? 1) }];
  }
  if (args.lr_scale !== undefined) fail('lr_scale does not apply to policy "composite"; give sub_policy_<k>_lr_scale instead');
  const iters = (args.sub_policy_num_iters as readonly number[] | undefined) ?? [];
  if (!iters.length) fail('policy "composite" needs sub_policy_num_iters (the length of each sub-policy)');
  if (iters.length > MAX_SUB_POLICIES) fail(`policy "composite" supports at most ${MAX_SUB_POLICIES} sub-policies, got ${iters.length}`);
  const bad = iters.findIndex((n) => !(n > 0));
  if (bad >= 0) fail(`sub_policy_num_iters[${bad}] = ${iters[bad]}: the number of iterations of a sub-policy must be positive`);
  for (const n of subNames) {
    const k = Number(SUB_ARG.exec(n)![1]);
    if (k >= iters.length) fail(`argument ${n} names sub-policy ${k}, but sub_policy_num_iters lists ${iters.length}`);
  }
  let start = 1;
  return iters.map((n, k) => {
    const prefix = `sub_policy_${k}_`;
    const name = extra[`${prefix}policy`] as string | undefined;
    if (!name) fail(`${prefix}policy is missing (each sub-policy of "composite" names its policy)`);
    if (name === 'composite') fail('Defining composite LR policy as a subpolicy of composite LR policy is not allowed.');
    const policy = lookup(name!, ` (${prefix}policy)`);
    const get = getter(policy, extra, prefix, `sub-policy ${k} (${name})`);
    const slot = { policy, get, start: clampI32(start), scale: Math.fround((extra[`${prefix}lr_scale`] as number | undefined) ?? 1) };
    start += n;
    return slot;
  });
}

/** Uniform values of learning_rate.wgsl for resolved slots. */
function packSlots(baseLr: number, slots: readonly Slot[]): Record<string, number[] | number> {
  const codes = new Array<number>(MAX_SUB_POLICIES).fill(0);
  const starts = new Array<number>(MAX_SUB_POLICIES).fill(0);
  const scales = new Array<number>(MAX_SUB_POLICIES).fill(0);
  const fargs = new Array<number>(MAX_SUB_POLICIES * 8).fill(0);
  const iargs = new Array<number>(MAX_SUB_POLICIES * 4).fill(0);
  slots.forEach((s, k) => {
    const { f, i } = s.policy.pack(s.get);
    codes[k] = s.policy.code;
    starts[k] = s.start;
    scales[k] = s.scale;
    f.forEach((x, j) => (fargs[8 * k + j] = x));
    i.forEach((x, j) => (iargs[4 * k + j] = x));
  });
  return { base_lr: baseLr, count: slots.length, codes, starts, scales, fargs, iargs };
}

export const LearningRate = defineOp({
  type: 'LearningRate',
  doc:
    'LR = base_lr · f(iter) (a 0-d float) for the Caffe2 policies fixed, step, exp, inv, poly, linearWarmup, constantWarmup, ' +
    'pieceWarmup, alter, hill, gate, slope, cyclical, cosine, constantThenLinearWarmup, compositeCosine, compositeCyclical and ' +
    `composite (up to ${MAX_SUB_POLICIES} sub-policies given as sub_policy_<k>_<arg>, sub-policy k starting at iteration ` +
    '1 + n_0 + … + n_(k-1); before iteration 1 the first one applies). lr_scale multiplies base_lr for the other policies. ' +
    'Computed in f32 on the GPU from the int32 iteration blob.',
  inputs: ['iter'],
  outputs: ['lr'],
  args: schema,
  extraArgs: subPolicyArgKind,
  noGradient: 'the learning rate is not differentiated',
  inferShape(ctx) {
    const it = ctx.inputs[0]!;
    const name = ctx.op.input[0]!;
    if (it.dtype !== 'int32') ctx.dtypeError(`input ${name} has dtype ${it.dtype}, expected the int32 iteration counter (made by Iter)`);
    if (size(it.shape) !== 1) ctx.shapeError(`input ${name} has shape ${fmtShape(it.shape)}, expected the one-element iteration counter`);
    resolveSlots(ctx.args, ctx.extraArgs, ctx.argError);
    return [{ shape: [], dtype: 'float32' }];
  },
  kernels(ctx) {
    const slots = resolveSlots(ctx.args, ctx.extraArgs, ctx.argError);
    return [
      {
        shader: 'learning_rate.wgsl',
        bindings: { ITER: { input: 0 }, LR: { output: 0 } },
        uniforms: packSlots(ctx.args.base_lr!, slots),
        workgroups: [1],
      },
    ];
  },
  fusable(ctx) {
    const u = packSlots(ctx.args.base_lr!, resolveSlots(ctx.args, ctx.extraArgs, ctx.argError));
    const at = (name: string, k: number): number => (u[name] as number[])[k]!;
    const base = f32Lit(u.base_lr as number);
    const count = u.count as number;
    // The slot in force (the kernel's loop over starts, unrolled), then the same policy function.
    const pick = Array.from({ length: count - 1 }, (_, j) => `if (it >= ${at('starts', j + 1) | 0}) {\n  k = ${j + 1}u;\n}`);
    const cases = Array.from({ length: count }, (_, k) => {
      const f = Array.from({ length: 8 }, (_, j) => f32Lit(at('fargs', 8 * k + j))).join(', ');
      const i = Array.from({ length: 4 }, (_, j) => `${at('iargs', 4 * k + j) | 0}`).join(', ');
      return `case ${k}u: {\n  s = LrSlot(${at('codes', k)}u, array<f32, 8>(${f}), array<i32, 4>(${i}));\n  scale = ${f32Lit(at('scales', k))};\n}`;
    });
    const body = [
      'let it = ldi(in0);',
      'var k = 0u;',
      ...pick,
      'var s: LrSlot;',
      'var scale = 0.0;',
      `switch k {\n${cases.join('\n')}\ndefault: {}\n}`,
      `stf(out0, ${base} * (lr_policy(s, it, ${base}) * scale));`,
    ].join('\n');
    return [{ class: 'scalar', body, includes: ['lr_policy.wgsl'] }];
  },
  reference([iter], args, extra) {
    const fail = (m: string): never => {
      throw new ArgumentError(`LearningRate: ${m}`);
    };
    const slots = resolveSlots(args, extra, fail);
    const it = iter!.data[0]!;
    let k = 0;
    slots.forEach((s, j) => {
      if (j > 0 && it >= s.start) k = j;
    });
    const baseLr = Math.fround(args.base_lr!);
    const s = slots[k]!;
    return [{ shape: [], data: Float64Array.of(baseLr * s.policy.f(it, s.get, baseLr) * s.scale) }];
  },
});
