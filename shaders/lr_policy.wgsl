// The learning-rate policies of LearningRate, shared by kernels/learning_rate.wgsl and the op's
// fusable form: f_k(it) for one slot (a policy code with its float and int arguments, packed by
// src/ops/learning_rate.ts, POLICIES). Integer powers use binary exponentiation and cos(π·u) a
// polynomial, so the schedule does not hang on the loose precision WGSL allows pow and cos.
struct LrSlot {
  code: u32,
  f: array<f32, 8>,
  i: array<i32, 4>,
}

const PI: f32 = 3.1415926535897932;

// b^e for an integer e (|e| up to 2^31).
fn ipow(b: f32, e: i32) -> f32 {
  var base = b;
  var n = u32(abs(e));
  var r = 1.0;
  loop {
    if ((n & 1u) != 0u) {
      r *= base;
    }
    n >>= 1u;
    if (n == 0u) {
      break;
    }
    base *= base;
  }
  return select(r, 1.0 / r, e < 0);
}

// b^e; integral exponents go through ipow (exact sign for b < 0, and more accurate).
fn fpow(b: f32, e: f32) -> f32 {
  if (e == floor(e) && abs(e) < 2147483648.0) {
    return ipow(b, i32(e));
  }
  return pow(b, e);
}

// floor(a / b) for b > 0 (WGSL's / truncates).
fn floor_div(a: i32, b: i32) -> i32 {
  let q = a / b;
  if (a % b != 0 && a < 0) {
    return q - 1;
  }
  return q;
}

// Taylor polynomials, accurate to ~1e-10 for |x| <= π/4.
fn cos_poly(x: f32) -> f32 {
  let z = x * x;
  return 1.0 + z * (-1.0 / 2.0 + z * (1.0 / 24.0 + z * (-1.0 / 720.0 + z * (1.0 / 40320.0 + z * (-1.0 / 3628800.0)))));
}

fn sin_poly(x: f32) -> f32 {
  let z = x * x;
  return x * (1.0 + z * (-1.0 / 6.0 + z * (1.0 / 120.0 + z * (-1.0 / 5040.0 + z * (1.0 / 362880.0 + z * (-1.0 / 39916800.0))))));
}

// cos(π·u) for any finite u.
fn cospi(u: f32) -> f32 {
  var a = abs(u);
  a = a - 2.0 * floor(a / 2.0);
  if (a > 1.0) {
    a = 2.0 - a;
  }
  var sign = 1.0;
  if (a > 0.5) {
    a = 1.0 - a;
    sign = -1.0;
  }
  if (a > 0.25) {
    return sign * sin_poly(PI * (0.5 - a));
  }
  return sign * cos_poly(PI * a);
}

fn linear_warmup(it: i32, start: f32, num_iter: i32) -> f32 {
  if (it >= num_iter) {
    return 1.0;
  }
  return start + (1.0 - start) * f32(it) / f32(num_iter);
}

// Ints c, cl, l: the constant phase ends at c, the linear one (l long) at cl = c + l.
fn constant_then_linear(it: i32, start: f32, c: i32, cl: i32, l: i32) -> f32 {
  if (it < c) {
    return start;
  }
  if (it < cl) {
    return linear_warmup(it - c, start, l);
  }
  return 1.0;
}

fn cyclical(it: i32, max_lr: f32, stepsize: i32, decay: f32, base_lr: f32) -> f32 {
  // it / (2·stepsize) without forming 2·stepsize, which may overflow.
  let half = (it / stepsize) / 2;
  let x = abs(f32(it) / f32(stepsize) - 2.0 * f32(half + 1) + 1.0);
  return 1.0 + (abs(max_lr) / abs(base_lr) - 1.0) * max(0.0, 1.0 - x) * ipow(decay, half);
}

// Where restart k of a cosine schedule with growing periods begins.
fn cosine_restart(k: i32, period: f32, t_mult: f32) -> f32 {
  return (1.0 - ipow(t_mult, k)) / (1.0 - t_mult) * period;
}

fn cosine(it: i32, max_lr: f32, min_lr: f32, period: i32, t_mult: f32, lr_shrink: f32) -> f32 {
  let p = f32(period);
  var k: i32;
  var t_i: f32;
  var t_cur: f32;
  if (t_mult != 1.0) {
    let x = f32(it);
    k = i32(floor(log(1.0 - x / p * (1.0 - t_mult)) / log(t_mult)));
    // f32 logs can land one restart off at a boundary: move k to the restart that holds it.
    if (x < cosine_restart(k, p, t_mult)) {
      k -= 1;
    } else if (x >= cosine_restart(k + 1, p, t_mult)) {
      k += 1;
    }
    t_i = ipow(t_mult, k) * p;
    t_cur = x - cosine_restart(k, p, t_mult);
  } else {
    k = floor_div(it, period);
    t_i = p;
    t_cur = f32(it - k * period);
  }
  let s = ipow(lr_shrink, k);
  let lo = min_lr * s;
  let hi = max_lr * s;
  return lo + 0.5 * (hi - lo) * (1.0 + cospi(t_cur / t_i));
}

fn lr_policy(s: LrSlot, it: i32, base_lr: f32) -> f32 {
  var f = 1.0;
  switch s.code {
    // step: gamma ^ (it / stepsize)
    case 1u: {
      f = ipow(s.f[0], it / s.i[0]);
    }
    // exp: gamma ^ it
    case 2u: {
      f = ipow(s.f[0], it);
    }
    // inv: (1 + gamma·it) ^ -power
    case 3u: {
      f = fpow(1.0 + s.f[0] * f32(it), -s.f[1]);
    }
    // poly: (1 - it / max_iter) ^ power; max_iter arrives as a float (Caffe2 holds it unsigned)
    case 4u: {
      f = fpow(1.0 - f32(it) / s.f[1], s.f[0]);
    }
    // linearWarmup
    case 5u: {
      f = linear_warmup(it, s.f[0], s.i[0]);
    }
    // constantWarmup
    case 6u: {
      f = select(s.f[0], 1.0, it >= s.i[0]);
    }
    // pieceWarmup: m1 before n1, m2 before n2, then m3
    case 7u: {
      f = select(select(s.f[2], s.f[1], it < s.i[1]), s.f[0], it < s.i[0]);
    }
    // alter: ints are active_first, active_period, inactive_period
    case 8u: {
      let active_first = s.i[0] != 0;
      let r = it % (s.i[1] + s.i[2]);
      let first = r < select(s.i[2], s.i[1], active_first);
      f = select(0.0, 1.0, first == active_first);
    }
    // hill: linear warmup to num_iter, then max(end, inv decay)
    case 9u: {
      let n = s.i[0];
      if (it < n) {
        f = linear_warmup(it, s.f[0], n);
      } else {
        f = max(s.f[3], fpow(1.0 + s.f[1] * f32(it - n), -s.f[2]));
      }
    }
    // gate: multiplier_1 before num_iter, multiplier_2 after
    case 10u: {
      f = select(s.f[0], s.f[1], it >= s.i[0]);
    }
    // slope: multiplier_1 before num_iter_1, then a line towards multiplier_2, bounded below by it
    case 11u: {
      let n1 = s.i[0];
      let m1 = s.f[0];
      let m2 = s.f[1];
      if (it < n1) {
        f = m1;
      } else {
        f = max(m2, m1 + f32(it - n1) * (m2 - m1) / f32(s.i[1] - n1));
      }
    }
    // cyclical: floats max_lr, decay; int stepsize
    case 12u: {
      f = cyclical(it, s.f[0], s.i[0], s.f[1], base_lr);
    }
    // cosine: floats max_lr, min_lr, t_mult, lr_shrink; int period
    case 13u: {
      f = cosine(it, s.f[0], s.f[1], s.i[0], s.f[2], s.f[3]);
    }
    // constantThenLinearWarmup: ints are C, C + L, L
    case 14u: {
      f = constant_then_linear(it, s.f[0], s.i[0], s.i[1], s.i[2]);
    }
    // compositeCosine: warmup as above, then cosine (int 3: its period)
    case 15u: {
      let cl = s.i[1];
      if (it < cl) {
        f = constant_then_linear(it, s.f[0], s.i[0], cl, s.i[2]);
      } else {
        f = cosine(it - cl, s.f[1], s.f[2], s.i[3], s.f[3], s.f[4]);
      }
    }
    // compositeCyclical: warmup as above, then cyclical (int 3: its step size)
    case 16u: {
      let cl = s.i[1];
      if (it < cl) {
        f = constant_then_linear(it, s.f[0], s.i[0], cl, s.i[2]);
      } else {
        f = cyclical(it - cl, s.f[1], s.i[3], s.f[2], base_lr);
      }
    }
    // fixed
    default: {
      f = 1.0;
    }
  }
  return f;
}
