// Adam's arithmetic, shared by adam.wgsl (all in place) and adam_moments.wgsl + adam_param.wgsl
// (out of place) so both paths compute the same values:
//   t = iter + 1;  m1' = β1·m1 + (1−β1)·g;  m2' = β2·m2 + (1−β2)·g²;
//   c = sqrt(1 − β2^t) / (1 − β1^t);  the effective gradient c·m1' / (sqrt(m2') + ε).
// 1 − β^t is computed as −expm1(t·ln β) with ln β from the host in float64: for β near 1 and small
// t, 1 − pow(β, t) in f32 would lose most digits.

// e^x − 1 without cancellation for small |x| (Taylor series, error ~1e-10 for |x| < 0.5).
fn adam_expm1(x: f32) -> f32 {
  if (abs(x) < 0.5) {
    return x * (1.0 + x / 2.0 * (1.0 + x / 3.0 * (1.0 + x / 4.0 * (1.0 + x / 5.0 * (1.0 + x / 6.0 * (1.0 + x / 7.0 * (1.0 + x / 8.0 * (1.0 + x / 9.0))))))));
  }
  return exp(x) - 1.0;
}

// The bias correction c at step t = iter + 1.
fn adam_correction(iter: i32, ln_beta1: f32, ln_beta2: f32) -> f32 {
  let t = f32(iter) + 1.0;
  return sqrt(-adam_expm1(t * ln_beta2)) / -adam_expm1(t * ln_beta1);
}

fn adam_moment1(m: f32, g: f32, beta1: f32) -> f32 {
  return m * beta1 + g * (1.0 - beta1);
}

fn adam_moment2(v: f32, g: f32, beta2: f32) -> f32 {
  return v * beta2 + g * g * (1.0 - beta2);
}
