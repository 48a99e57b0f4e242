// The elementwise math of the unary family (src/ops/unary.ts), shared by its forward and gradient
// kernels. OP picks the function; each OP is its own pipeline, so the switch folds away. `a` and
// `b` are the op's scalar arguments (LeakyRelu: a = alpha; Clip: a = min, b = max; Pow: a = exponent).
// The codes must match UNARY_CODES in src/ops/unary.ts.

#include "pow_real.wgsl"

override OP: u32 = 0u;

fn unary_op(x: f32, a: f32, b: f32) -> f32 {
  switch OP {
    case 0u: { return max(x, 0.0); }
    case 1u: { return max(x, 0.0) + min(x, 0.0) * a; }
    case 2u: { return 1.0 / (1.0 + exp(-x)); }
    // Clamped because some tanh implementations return NaN past |x| ~ 44; tanh(15) is 1 in f32.
    case 3u: { return tanh(clamp(x, -15.0, 15.0)); }
    case 4u: { return x / (1.0 + abs(x)); }
    case 5u: { return exp(x); }
    case 6u: { return log(x); }
    case 7u: { return sqrt(x); }
    case 8u: { return x * x; }
    case 9u: { return abs(x); }
    case 10u: { return -x; }
    case 11u: { return min(max(x, a), b); }
    default: { return pow_real(x, a); }
  }
}

// dX from dY and v, where v is the forward output Y (Relu, LeakyRelu, Sigmoid, Tanh, Clip) or the
// input X (Softsign, Abs), as each Caffe2 gradient op takes it.
fn unary_grad(v: f32, dy: f32, a: f32, b: f32) -> f32 {
  switch OP {
    case 0u: { return select(0.0, dy, v > 0.0); }
    case 1u: { return select(dy * a, dy, v >= 0.0); }
    case 2u: { return dy * v * (1.0 - v); }
    case 3u: { return dy * (1.0 - v * v); }
    case 4u: {
      let d = 1.0 + abs(v);
      return dy / (d * d);
    }
    case 9u: { return select(select(-dy, dy, v > 0.0), 0.0, v == 0.0); }
    default: { return select(0.0, dy, v > a && v < b); }
  }
}
