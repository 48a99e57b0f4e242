// TensorProtosDBInput: after the batch was gathered, the cursor moves on by one batch, wrapping
// around at the end of the DB (one invocation).
struct Params {
  count: u32,
  batch: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> CURSOR: array<u32>;

@compute @workgroup_size(1)
fn main() {
  CURSOR[0] = (CURSOR[0] + params.batch % params.count) % params.count;
}
