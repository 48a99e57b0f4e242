// The unary family's kernels pick their function with OP; each OP is its own pipeline, so the
// switch folds away. `a` and `b` are the op's scalar arguments (LeakyRelu: a = alpha; Clip:
// a = min, b = max; Pow: a = exponent). The codes must match UNARY_CODES in src/ops/unary.ts.
#include "unary_math.wgsl"

override OP: u32 = 0u;

fn unary_op(x: f32, a: f32, b: f32) -> f32 {
  switch OP {
    case 0u: { return unary_relu(x); }
    case 1u: { return unary_leaky_relu(x, a); }
    case 2u: { return unary_sigmoid(x); }
    case 3u: { return unary_tanh(x); }
    case 4u: { return unary_softsign(x); }
    case 5u: { return exp(x); }
    case 6u: { return log(x); }
    case 7u: { return sqrt(x); }
    case 8u: { return unary_sqr(x); }
    case 9u: { return abs(x); }
    case 10u: { return -x; }
    case 11u: { return unary_clip(x, a, b); }
    default: { return pow_real(x, a); }
  }
}

// dX from v and dY for the family's own gradient ops (see shaders/unary_math.wgsl).
fn unary_grad(v: f32, dy: f32, a: f32, b: f32) -> f32 {
  switch OP {
    case 0u: { return unary_relu_grad(v, dy); }
    case 1u: { return unary_leaky_relu_grad(v, dy, a); }
    case 2u: { return unary_sigmoid_grad(v, dy); }
    case 3u: { return unary_tanh_grad(v, dy); }
    case 4u: { return unary_softsign_grad(v, dy); }
    case 9u: { return unary_abs_grad(v, dy); }
    default: { return unary_clip_grad(v, dy, a, b); }
  }
}
