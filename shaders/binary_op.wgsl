// The arithmetic of Add/Sub/Mul/Div over T (f32 or i32), shared by the elementwise kernels so every
// path computes exactly the same values. Integer + - * wrap as WGSL defines them.

// 0 add, 1 sub, 2 mul, 3 div, 4 integer div (truncates toward zero; x / 0 = 0 instead of WGSL's x).
override OP: u32 = 0u;

fn binary_op(a: T, b: T) -> T {
  switch OP {
    case 0u: { return a + b; }
    case 1u: { return a - b; }
    case 2u: { return a * b; }
    case 3u: { return a / b; }
    default: {
      let zero = b == T(0);
      return select(a / select(b, T(1), zero), T(0), zero);
    }
  }
}

fn binary_op4(a: vec4<T>, b: vec4<T>) -> vec4<T> {
  switch OP {
    case 0u: { return a + b; }
    case 1u: { return a - b; }
    case 2u: { return a * b; }
    case 3u: { return a / b; }
    default: {
      let zero = b == vec4<T>(T(0));
      return select(a / select(b, vec4<T>(T(1)), zero), vec4<T>(T(0)), zero);
    }
  }
}
