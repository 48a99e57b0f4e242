// Flat invocation index for 1-D work spread over a 2-D grid of workgroups: one grid dimension holds
// at most 65535 groups, so large tensors use y as well (see linearWorkgroups in src/ops/shape.ts).
fn flat_index(gid: vec3u, nwg: vec3u, wg_size: u32) -> u32 {
  return gid.x + gid.y * nwg.x * wg_size;
}

// flat_index from the workgroup id and the lane instead of global_invocation_id (same value for a
// 1-D workgroup): the workgroup part is one value per workgroup, so SwiftShader computes it once
// rather than per lane; a vec4 Add with it and an arrayLength bound took ~13 % less CPU per byte.
fn group_flat_index(wg: vec3u, nwg: vec3u, lane: u32, wg_size: u32) -> u32 {
  return (wg.y * nwg.x + wg.x) * wg_size + lane;
}
