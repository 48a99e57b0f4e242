// A convolution or pooling window's geometry as pipeline constants, for the kernels without a
// GEMM tile (kernels/conv_direct.wgsl, pool_direct.wgsl, pool_grad.wgsl): with the sizes known
// when the pipeline is compiled, the divisions that turn a flat index into coordinates become
// multiplications and the padding checks of an unpadded window fold away. On a software adapter,
// where an integer division runs lane by lane, that was much of such a kernel's cost. The host
// passes every member (src/ops/conv_geometry.ts, windowConstants); a 1-D window arrives as a 2-D
// one of height 1.

// Input channels, height and width; output channels, height and width.
override IN_C: u32;
override IN_H: i32;
override IN_W: i32;
override OUT_C: u32;
override OUT_H: u32;
override OUT_W: u32;
// Kernel, stride, head pads (top, left) and dilation.
override K_H: i32;
override K_W: i32;
override S_H: i32;
override S_W: i32;
override P_T: i32;
override P_L: i32;
override D_H: i32;
override D_W: i32;
// Whether any window reaches into the padding (otherwise no tap needs a bounds check).
override PADDED: bool;
// Channel-last data (NHWC) instead of channel-first (NCHW).
override NHWC: bool = false;

// (batch, channel, row, column) of element e of a [n, chans, h, w]-sized tensor in the data order
// (called with constants, so the divisions fold into multiplications).
fn coords_of(e: u32, chans: u32, h: u32, w: u32) -> vec4u {
  if (NHWC) {
    let p = e / chans;
    let r = p / w;
    return vec4u(r / h, e % chans, r % h, p % w);
  }
  let r = e / w;
  let s = r / h;
  return vec4u(s / chans, s % chans, r % h, e % w);
}

// coords_of an output element, and of an input element.
fn out_coords(e: u32) -> vec4u {
  return coords_of(e, OUT_C, OUT_H, OUT_W);
}

fn in_coords(e: u32) -> vec4u {
  return coords_of(e, IN_C, u32(IN_H), u32(IN_W));
}

// Index of output element (batch b, channel ch, row y, column x) in the data order.
fn out_index(b: u32, ch: u32, y: u32, x: u32) -> u32 {
  if (NHWC) {
    return ((b * OUT_H + y) * OUT_W + x) * OUT_C + ch;
  }
  return ((b * OUT_C + ch) * OUT_H + y) * OUT_W + x;
}

// Index of input element (batch b, channel ch, row y, column x) in the data order.
fn in_index(b: u32, ch: u32, y: i32, x: i32) -> u32 {
  if (NHWC) {
    return ((b * u32(IN_H) + u32(y)) * u32(IN_W) + u32(x)) * IN_C + ch;
  }
  return ((b * IN_C + ch) * u32(IN_H) + u32(y)) * u32(IN_W) + u32(x);
}

// Whether input position (y, x) lies inside the image (always, for an unpadded window).
fn inside(y: i32, x: i32) -> bool {
  return !PADDED || (y >= 0 && y < IN_H && x >= 0 && x < IN_W);
}
