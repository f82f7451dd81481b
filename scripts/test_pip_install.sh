#!/usr/bin/env bash
# Optional and slow (a full CMake build, in build-pip/ as pyproject.toml says): `pip install .` into a temporary
# venv, then the Python tests against the installed package.
#   scripts/test_pip_install.sh
#   BALLCAM_PIP_BUILD_DIR=dir scripts/test_pip_install.sh   another CMake build dir
# Needs scripts/setup.sh --deps, python3-venv, and PyPI for the build backend.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
python=${BALLCAM_PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# System site-packages: pytest comes from Debian (python3-pytest).
"$python" -m venv --system-site-packages "$tmp/venv"
args=()
if [[ -n "${BALLCAM_PIP_BUILD_DIR:-}" ]]; then
  dir=$BALLCAM_PIP_BUILD_DIR
  [[ $dir == /* ]] || dir=$repo/$dir
  args+=(--config-settings=build-dir="$dir")
fi
"$tmp/venv/bin/python" -m pip install --disable-pip-version-check -q "${args[@]}" "$repo"
# From outside the checkout, so `import ballcam` can only find the installed package.
cd "$tmp"
"$tmp/venv/bin/python" -c 'import ballcam, sys; print("installed:", ballcam.__file__, ballcam.__version__)'
"$tmp/venv/bin/python" -m pytest -q -p no:cacheprovider --rootdir "$tmp" "$repo/tests/python"
