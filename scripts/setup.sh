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
  python3-venv  # .venv: PyTorch (libtorch) for the neural detectors
  clang-14 libclang-rt-14-dev  # scripts/fuzz.sh: libFuzzer targets (tests/fuzz)
  # tests/live: a real RTMP ingest (nginx + RTMP module) and RTSP server (GStreamer through Python GI)
  nginx libnginx-mod-rtmp python3-gi gir1.2-gst-rtsp-server-1.0
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
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

# PyTorch from PyPI into the project venv (.venv, git-ignored): CMake finds
# libtorch there (torch.utils.cmake_prefix_path) and builds the neural
# detectors. Pinned to the GPU machines' version so model files move between
# them. About 3 GB (CUDA wheels; they also run on CPU). Skipped when the
# pinned versions are already there, or with BALLCAM_NO_TORCH=1; a failed
# download leaves a build without libtorch (classical detector only).
torch_pin=2.11.0
torchvision_pin=0.26.0
if [[ "${BALLCAM_NO_TORCH:-0}" != 1 ]]; then
  [[ -x .venv/bin/python3 ]] || /usr/bin/python3 -m venv .venv
  have=$(.venv/bin/python3 -c "import importlib.metadata as m; print(m.version('torch').split('+')[0], m.version('torchvision').split('+')[0])" 2>/dev/null || true)
  if [[ "$have" != "$torch_pin $torchvision_pin" ]]; then
    echo "setup: installing torch==$torch_pin torchvision==$torchvision_pin into .venv (about 3 GB)"
    .venv/bin/python3 -m pip install -q --disable-pip-version-check "torch==$torch_pin" "torchvision==$torchvision_pin" numpy ||
      echo "setup: warning: PyTorch install failed; the build goes on without libtorch (classical detector only)" >&2
  fi
  # RF-DETR's package (tools/export_rfdetr.py, the C++-vs-Python RF-DETR
  # test), pinned with torch so pip never moves torch.
  rfdetr_pin=1.11.2
  if .venv/bin/python3 -c "import torch" 2>/dev/null &&
     ! .venv/bin/python3 -c "import importlib.metadata as m; assert m.version('rfdetr') == '$rfdetr_pin'" 2>/dev/null; then
    echo "setup: installing rfdetr==$rfdetr_pin into .venv"
    .venv/bin/python3 -m pip install -q --disable-pip-version-check "rfdetr==$rfdetr_pin" "torch==$torch_pin" \
      "torchvision==$torchvision_pin" ||
      echo "setup: warning: rfdetr install failed; the RF-DETR export and its test are skipped" >&2
  fi
fi
((deps_only)) && exit 0

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build --target ballcam
./build/src/app/ballcam demo --out-dir out
