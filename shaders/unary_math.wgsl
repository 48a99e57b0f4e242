// The math of the unary family (src/ops/unary.ts), one function per op and per gradient op, so
// that the family's kernels (through shaders/unary_op.wgsl) and any generated kernel compute
// exactly the same values. Gradients take v = the forward output Y (Relu, LeakyRelu, Sigmoid,
// Tanh, Clip) or input X (Softsign, Abs), as each Caffe2 gradient op does.
#include "pow_real.wgsl"

fn unary_relu(x: f32) -> f32 {
  return max(x, 0.0);
}

fn unary_leaky_relu(x: f32, alpha: f32) -> f32 {
  return max(x, 0.0) + min(x, 0.0) * alpha;
}

fn unary_sigmoid(x: f32) -> f32 {
  return 1.0 / (1.0 + exp(-x));
}

// Clamped because some tanh implementations return NaN past |x| ~ 44; tanh(15) is 1 in f32.
fn unary_tanh(x: f32) -> f32 {
  return tanh(clamp(x, -15.0, 15.0));
}

fn unary_softsign(x: f32) -> f32 {
  return x / (1.0 + abs(x));
}

// A function rather than `x * x` inline, so a fused expression evaluates its argument once.
fn unary_sqr(x: f32) -> f32 {
  return x * x;
}

fn unary_clip(x: f32, lo: f32, hi: f32) -> f32 {
  return min(max(x, lo), hi);
}

fn unary_relu_grad(y: f32, dy: f32) -> f32 {
  return select(0.0, dy, y > 0.0);
}

fn unary_leaky_relu_grad(y: f32, dy: f32, alpha: f32) -> f32 {
  return select(dy * alpha, dy, y >= 0.0);
}

fn unary_sigmoid_grad(y: f32, dy: f32) -> f32 {
  return dy * y * (1.0 - y);
}

fn unary_tanh_grad(y: f32, dy: f32) -> f32 {
  return dy * (1.0 - y * y);
}

fn unary_softsign_grad(x: f32, dy: f32) -> f32 {
  let d = 1.0 + abs(x);
  return dy / (d * d);
}

fn unary_abs_grad(x: f32, dy: f32) -> f32 {
  return select(select(-dy, dy, x > 0.0), 0.0, x == 0.0);
}

fn unary_clip_grad(y: f32, dy: f32, lo: f32, hi: f32) -> f32 {
  return select(0.0, dy, y > lo && y < hi);
}
