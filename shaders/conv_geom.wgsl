// The geometry of a convolution or pooling window, shared by the conv and pool kernels. The host
// uploads it once per plan as a storage buffer at binding 1 (src/ops/conv_geometry.ts packs it in
// this member order); binding 0 stays free for the kernel's own uniform (the matmul tile's).
// Sizes are i32 so that window positions reaching into the padding can go negative. A 1-D window
// arrives as a 2-D one of height 1.

struct ConvGeom {
  // Input: batch, channels, height, width.
  n: i32,
  c: i32,
  h: i32,
  w: i32,
  // Output channels (Conv's M; the pools keep c), output height and width.
  m: i32,
  oh: i32,
  ow: i32,
  // Kernel, stride, head pads (top, left) and dilation.
  kh: i32,
  kw: i32,
  sh: i32,
  sw: i32,
  pt: i32,
  pl: i32,
  dh: i32,
  dw: i32,
  // Input and output channels per group (Conv), and the parts a split dW sum has per group.
  cg: i32,
  mg: i32,
  parts: i32,
}

@group(0) @binding(1) var<storage, read> geom: ConvGeom;

// Channel-last data (NHWC) instead of channel-first (NCHW).
override NHWC: bool = false;

// Index of (batch b, channel ch, row y, column x) in a [b, chans, h, w] tensor in the data order.
fn at4(b: i32, ch: i32, y: i32, x: i32, chans: i32, h: i32, w: i32) -> u32 {
  if (NHWC) {
    return u32(((b * h + y) * w + x) * chans + ch);
  }
  return u32(((b * chans + ch) * h + y) * w + x);
}

// (batch, row, column) of flat pixel index p over [batch, h, w].
fn pixel(p: i32, h: i32, w: i32) -> vec3i {
  let hw = h * w;
  let b = p / hw;
  let q = p - b * hw;
  let y = q / w;
  return vec3i(b, y, q - y * w);
}

// (channel, kernel row, kernel column) of tap r of a filter over `chans` channels, in the order of
// the filter's storage: [chans, kh, kw] for NCHW, [kh, kw, chans] for NHWC.
fn tap(r: i32, chans: i32) -> vec3i {
  let kk = geom.kh * geom.kw;
  var ch: i32;
  var k: i32;
  if (NHWC) {
    k = r / chans;
    ch = r - k * chans;
  } else {
    ch = r / kk;
    k = r - ch * kk;
  }
  let ky = k / geom.kw;
  return vec3i(ch, ky, k - ky * geom.kw);
}

// (batch, channel, row, column) of element e of a [n, chans, h, w] tensor in the data order.
fn coords(e: i32, chans: i32, h: i32, w: i32) -> vec4i {
  if (NHWC) {
    let ch = e % chans;
    let p = pixel(e / chans, h, w);
    return vec4i(p.x, ch, p.y, p.z);
  }
  let plane = h * w;
  let bc = e / plane;
  let p = pixel(e - bc * plane, h, w);
  return vec4i(bc / chans, bc % chans, p.y, p.z);
}

// Index in the filter of (filter f, input channel c of its group, kernel position k = ky * kw + kx).
fn filter_index(f: i32, c: i32, k: i32) -> u32 {
  let kk = geom.kh * geom.kw;
  if (NHWC) {
    return u32((f * kk + k) * geom.cg + c);
  }
  return u32((f * geom.cg + c) * kk + k);
}

// One spatial coordinate of the output that input coordinate `v` met through tap `k`, or -1.
fn source(v: i32, pad: i32, k: i32, dil: i32, stride: i32, extent: i32) -> i32 {
  let t = v + pad - k * dil;
  if (t < 0 || t % stride != 0 || t / stride >= extent) {
    return -1;
  }
  return t / stride;
}
