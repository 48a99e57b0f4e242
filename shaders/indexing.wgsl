// Flat invocation index for 1-D work spread over a 2-D grid of workgroups: one grid dimension holds
// at most 65535 groups, so large tensors use y as well (see linearWorkgroups in src/ops/shape.ts).
fn flat_index(gid: vec3u, nwg: vec3u, wg_size: u32) -> u32 {
  return gid.x + gid.y * nwg.x * wg_size;
}
