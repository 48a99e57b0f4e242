#!/usr/bin/env bash
# The bench on a lent GPU machine (see /work/shared/gpu/README.md), in one command.
#
# Here, first:   npm ci && npm run build && ../shared/gpu/prepare.sh
# Then the device tool, with carry [".gpu", "dist"] and a timeout that leaves room to rerun:
#                bash bench/gpu_run.sh
# It writes $OUT/bench.json (every sample), $OUT/bench.txt (the table) and $OUT/gpu.txt.
# BENCH_ARGS replaces the bench's arguments (default: the full sizes of every suite);
# CAFFE2_WEBGPU_ADAPTER defaults to "hardware" so that a missing driver fails loudly instead of
# measuring the software adapter; GPU_ENV names the environment script (default .gpu/on-device.sh).
cd "$(dirname "$0")/.." || exit 2
gpu_env=${GPU_ENV:-.gpu/on-device.sh}
out=${OUT:-out}
if [ ! -f "$gpu_env" ]; then
  echo "gpu_run: $gpu_env is missing: run ../shared/gpu/prepare.sh here and carry .gpu" >&2
  exit 2
fi
if [ ! -f dist/bench/cli.js ]; then
  echo "gpu_run: dist/bench/cli.js is missing: run npm run build here and carry dist" >&2
  exit 2
fi
# Sourced before `set -e`: it probes for files with `[ -f … ] &&`, which may be false.
# shellcheck source=/dev/null
source "$gpu_env"
set -euo pipefail
mkdir -p "$out"
export CAFFE2_WEBGPU_ADAPTER=${CAFFE2_WEBGPU_ADAPTER:-hardware}
{ nvidia-smi 2>&1 || echo "no nvidia-smi"; } >"$out/gpu.txt"
read -r -a args <<<"${BENCH_ARGS:---full --suite all}"
node dist/bench/cli.js "${args[@]}" --json "$out/bench.json" | tee "$out/bench.txt"
