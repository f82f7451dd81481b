#!/usr/bin/env bash
# Device check for the gpu/ module, run on the GPU machine from the repo root:
#   scripts/device-check.sh RESULTS_DIR
# Prints the GPU, reports whether the NVDEC/NVENC driver libraries are
# installed, builds the GPU-only tree (BALLCAM_GPU_ONLY: no FFmpeg, yaml,
# CLI11 or spdlog needed), runs tests/gpu and the --perf table. Writes
# RESULTS_DIR/log.txt (everything), tests.txt, perf.md, summary.txt.
# Needs cmake, ninja, a CUDA toolkit; no network. Takes 1-3 minutes.
set -uo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 RESULTS_DIR" >&2
  exit 2
fi
results=$1
mkdir -p "$results"
results=$(cd "$results" && pwd)
cd "$(dirname "$0")/.." || exit 2
build_dir=build-gpu
arch=${BALLCAM_CUDA_ARCH:-90}
jobs=$(nproc 2>/dev/null || echo 4)

exec > >(tee "$results/log.txt") 2>&1

summary=()
failed=0
step() {  # step NAME TIMEOUT_S COMMAND... : run, record pass/fail, keep going
  local name=$1 limit=$2
  shift 2
  echo
  echo "=== $name ($(date -u +%H:%M:%S)) ==="
  local t0=$SECONDS rc=0
  timeout "$limit" "$@" || rc=$?
  local verdict=ok
  if [[ $rc -ne 0 ]]; then
    verdict="FAILED (rc=$rc$([[ $rc -eq 124 ]] && echo ", timed out after ${limit}s"))"
    failed=1
  fi
  summary+=("$name: $verdict, $((SECONDS - t0)) s")
  return $rc
}

echo "ballcam device check, $(date -u '+%Y-%m-%d %H:%M:%S') UTC, commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"

step "nvidia-smi" 30 nvidia-smi
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv 2>/dev/null || true

echo
echo "=== NVDEC / NVENC driver libraries ==="
libs=$(ldconfig -p 2>/dev/null | grep -E 'libnvcuvid|libnvidia-encode' || true)
echo "${libs:-(none found by ldconfig -p)}"
if grep -q libnvcuvid <<<"$libs"; then nvdec="present"; else nvdec="MISSING"; fi
if grep -q libnvidia-encode <<<"$libs"; then nvenc="present"; else nvenc="MISSING"; fi
echo "NVDEC (libnvcuvid): $nvdec"
echo "NVENC (libnvidia-encode): $nvenc  (H100/H200 have no NVENC engine even when the library is installed)"
summary+=("NVDEC library libnvcuvid: $nvdec" "NVENC library libnvidia-encode: $nvenc")

echo
echo "=== toolchain ==="
cmake --version | head -1
ninja --version
nvcc_bin=$(command -v nvcc || true)
[[ -z $nvcc_bin && -x /usr/local/cuda/bin/nvcc ]] && nvcc_bin=/usr/local/cuda/bin/nvcc
if [[ -n $nvcc_bin ]]; then "$nvcc_bin" --version | tail -2; else echo "nvcc not found"; fi

cmake_args=(-S . -B "$build_dir" -G Ninja -DBALLCAM_GPU_ONLY=ON -DBALLCAM_WITH_CUDA=ON
            -DCMAKE_CUDA_ARCHITECTURES="$arch" -DCMAKE_BUILD_TYPE=Release)
[[ -n $nvcc_bin ]] && cmake_args+=(-DCMAKE_CUDA_COMPILER="$nvcc_bin")

if step "configure" 120 cmake "${cmake_args[@]}" &&
   step "build" 300 ninja -C "$build_dir" -j "$jobs"; then
  test_bin=$build_dir/tests/gpu/test_gpu
  export BALLCAM_GPU_REQUIRE_DEVICE=1  # here a skipped kernel test is a failure
  step "tests" 180 bash -c "set -o pipefail; '$test_bin' 2>&1 | tee '$results/tests.txt'"
  step "perf" 120 bash -c "set -o pipefail; '$test_bin' --perf --perf-out '$results/perf.md' 2>&1"
fi
# NVML gauges (GPU utilisation/memory for /metrics), loaded at run time.
if step "nvml build" 60 g++ -std=c++20 -O2 -I src -o "$build_dir/nvml_probe" scripts/nvml_probe.cpp \
     src/metrics/nvml.cpp -ldl; then
  step "nvml" 30 "$build_dir/nvml_probe"
fi

echo
echo "=== summary ==="
printf '%s\n' "${summary[@]}" | tee "$results/summary.txt"
if [[ $failed -ne 0 ]]; then
  echo "device check: FAILED" | tee -a "$results/summary.txt"
  exit 1
fi
echo "device check: ok" | tee -a "$results/summary.txt"
