#!/usr/bin/env bash
# Fresh Debian 12 machine -> dependencies installed, Release build, demo run.
#   scripts/setup.sh            install, build, run `ballcam demo` (writes out/demo.mp4)
#   scripts/setup.sh --deps     install the dependencies only (used by scripts/test.sh)
# Idempotent: re-running skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

deps_only=0
[[ "${1:-}" == "--deps" ]] && deps_only=1

packages=(
  build-essential cmake ninja-build pkg-config git
  ffmpeg libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev
  libcli11-dev libyaml-cpp-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libpng-dev
  libcpp-httplib-dev libgtest-dev libgmock-dev libbenchmark-dev bc
  chromium  # tests/browser: the live preview page in a real (headless) browser
  python3-dev pybind11-dev python3-pytest
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
((deps_only)) && exit 0

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build --target ballcam
./build/src/app/ballcam demo --out-dir out
