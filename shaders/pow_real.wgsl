// x^e with std::pow's meaning where WGSL's pow is undefined: negative bases with integral
// exponents keep their sign, 0^e is 0 or inf, x^0 is 1, and a negative base with a fractional
// exponent is NaN. inf and NaN come from runtime divisions (a constant one would not compile).
fn pow_real(x: f32, e: f32) -> f32 {
  if (e == 0.0) {
    return 1.0;
  }
  if (x == 0.0) {
    return select(1.0 / abs(x), 0.0, e > 0.0);
  }
  let m = pow(abs(x), e);
  if (x > 0.0) {
    return m;
  }
  if (fract(e) != 0.0) {
    let zero = x - x;
    return zero / zero;
  }
  let odd = e - 2.0 * floor(e * 0.5) == 1.0;
  return select(m, -m, odd);
}
