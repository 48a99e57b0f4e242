// TensorProtosDBInput: after the batch was gathered, the cursor [position, epoch] moves on by one
// batch, into the next epoch at the end of the DB (one invocation).
struct Params {
  count: u32,
  batch: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> CURSOR: array<u32>;

@compute @workgroup_size(1)
fn main() {
  let total = CURSOR[0] + params.batch;
  CURSOR[1] += total / params.count;
  CURSOR[0] = total % params.count;
}
