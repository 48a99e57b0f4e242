// Iter / AtomicIter: the int32 counter += 1, in place, on the GPU (nothing is uploaded per run).
// Caffe2 refuses a negative counter and one that would overflow; a kernel cannot throw, so the
// counter saturates at 2^31-1 (it stays there instead of wrapping to a negative value) and a
// negative counter is left as it is. Both cases are rejected on the host when the value is known.
@group(0) @binding(0) var<storage, read_write> ITER: array<i32>;

@compute @workgroup_size(1)
fn main() {
  let v = ITER[0];
  if (v >= 0 && v < 2147483647) {
    ITER[0] = v + 1;
  }
}
