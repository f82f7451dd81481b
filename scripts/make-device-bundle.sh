#!/usr/bin/env bash
# Packs a ballcam binary built here (CPU machine, Debian 12) for the GPU
# machine, which has CUDA, PyTorch and a C++ toolchain but none of FFmpeg,
# yaml-cpp, spdlog, fmt, CLI11, cpp-httplib or libpng:
#   scripts/make-device-bundle.sh [BUILD_DIR] [OUT_DIR]
# BUILD_DIR (default build-device) must be configured with
# -DBALLCAM_FFMPEG_ROOT=third_party/ffmpeg-static (FFmpeg and libx264 linked
# statically). Copies the binary and every shared library it needs that is
# not part of the C/C++ runtime or of the target's libtorch/CUDA into
# OUT_DIR/lib (default third_party/device-bundle). On the GPU machine run it
# with LD_LIBRARY_PATH=OUT_DIR/lib:<torch>/lib (scripts/device-check.sh does).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-device}
out=${2:-$root/third_party/device-bundle}
bin=$build/src/app/ballcam
[[ -x $bin ]] || { echo "make-device-bundle: $bin not built" >&2; exit 2; }
rm -rf "$out"
mkdir -p "$out/lib"
cp "$bin" "$out/ballcam"
strip --strip-debug "$out/ballcam"
# glibc, the GCC runtime, libtorch/c10 and CUDA/NVIDIA libraries come from
# the target (its PyTorch and driver); everything else travels.
skip='^(linux-vdso|ld-linux|libc\.|libm\.|libdl\.|libpthread\.|librt\.|libstdc\+\+|libgcc_s|libtorch|libc10|libcuda\.|libnv|libcublas|libcudnn|libcufft|libcurand|libcusparse|libcusolver|libcupti|libcufile|libutil\.|libnccl|libgomp|libshm)'
ldd "$bin" | awk '/=> \//{print $1" "$3}' | while read -r name path; do
  if [[ $name =~ $skip ]]; then continue; fi
  cp -L "$path" "$out/lib/$name"
done
ls -la "$out" "$out/lib"
du -sh "$out"
