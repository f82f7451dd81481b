#!/usr/bin/env bash
# Builds a minimal static FFmpeg from Debian's source package into
# third_party/ffmpeg-static (or $1), for the GPU machine, which has no FFmpeg:
#   scripts/build-ffmpeg-static.sh [PREFIX]
# then configure ballcam with -DBALLCAM_FFMPEG_ROOT=PREFIX (pkg-config files
# under PREFIX/lib/pkgconfig). Run on the CPU machine (Debian 12, root or
# apt access); the result (PREFIX/include, PREFIX/lib/*.a incl. a copy of
# Debian's libx264.a) is carried to the GPU machine beside the source tree.
#
# What is in it: decoders h264, hevc, aac (+ NVDEC hwaccels h264_nvdec,
# hevc_nvdec and the h264_cuvid/hevc_cuvid decoders), encoders libx264, aac,
# h264_nvenc/hevc_nvenc; parsers h264, hevc, aac; demuxers mov, matroska,
# mpegts, flv, h264, hevc, aac; muxers mp4, mov, matroska, mpegts, flv, h264,
# hevc, null; file and pipe protocols; the annexb/adts/extradata bsfs;
# libswscale, libswresample. No network protocols (the GPU machine has no
# network). Everything autodetected is off (--disable-autodetect): the driver
# parts (CUDA, NVDEC, NVENC) come through the ffnvcodec headers and are
# loaded at run time with dlopen, so the static libraries need only libc, libm
# and libdl on the target.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
prefix=${1:-$root/third_party/ffmpeg-static}
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)
work=$prefix/src
jobs=$(nproc 2>/dev/null || echo 2)

# --- build dependencies (idempotent) -----------------------------------------
need=()
for p in nasm libx264-dev libffmpeg-nvenc-dev dpkg-dev pkg-config build-essential; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if ((${#need[@]})); then
  echo "build-ffmpeg-static: installing ${need[*]}"
  apt-get install -y -q "${need[@]}"
fi

# --- Debian's source package ------------------------------------------------
srcdir=$(find "$work" -maxdepth 1 -type d -name 'ffmpeg-*' 2>/dev/null | head -1 || true)
if [[ -z $srcdir ]]; then
  if ! apt-get source --print-uris ffmpeg >/dev/null 2>&1; then
    # Debian 12 ships without deb-src lines; add one for the same suites.
    cat >/etc/apt/sources.list.d/ballcam-deb-src.sources <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    apt-get update -q
  fi
  mkdir -p "$work"
  (cd "$work" && apt-get source -q ffmpeg)
  srcdir=$(find "$work" -maxdepth 1 -type d -name 'ffmpeg-*' | head -1)
fi
echo "build-ffmpeg-static: source $srcdir"

# --- configure ----------------------------------------------------------------
# libx264 statically: Debian's libx264.a goes into PREFIX/lib, which the
# linker searches first, so -lx264 resolves to it, not to a shared library the
# GPU machine lacks.
mkdir -p "$prefix/lib/pkgconfig"
cp /usr/lib/x86_64-linux-gnu/libx264.a "$prefix/lib/"
sed -e "s|^prefix=.*|prefix=$prefix|" -e 's|^libdir=.*|libdir=${prefix}/lib|' \
    -e 's|^includedir=.*|includedir=${prefix}/include|' \
    -e 's|^Libs:.*|Libs: -L${libdir} -lx264|' -e 's|^Libs.private:.*|Libs.private: -lpthread -lm -ldl|' \
    /usr/lib/x86_64-linux-gnu/pkgconfig/x264.pc >"$prefix/lib/pkgconfig/x264.pc"
mkdir -p "$prefix/include"
cp /usr/include/x264.h /usr/include/x264_config.h "$prefix/include/"

build=$work/build
mkdir -p "$build"
cd "$build"
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig:/usr/lib/x86_64-linux-gnu/pkgconfig:/usr/share/pkgconfig
"$srcdir/configure" \
  --prefix="$prefix" \
  --pkg-config-flags=--static \
  --extra-cflags="-I$prefix/include -fPIC" --extra-ldflags="-L$prefix/lib" \
  --enable-static --disable-shared --enable-pic \
  --enable-gpl --disable-programs --disable-doc --disable-debug \
  --disable-autodetect --disable-everything \
  --disable-avdevice --disable-avfilter --disable-postproc --disable-network \
  --enable-ffnvcodec --enable-nvdec --enable-cuvid --enable-nvenc \
  --enable-libx264 \
  --enable-decoder=h264,hevc,aac,h264_cuvid,hevc_cuvid \
  --enable-hwaccel=h264_nvdec,hevc_nvdec \
  --enable-encoder=libx264,aac,h264_nvenc,hevc_nvenc \
  --enable-parser=h264,hevc,aac \
  --enable-demuxer=mov,matroska,mpegts,flv,h264,hevc,aac \
  --enable-muxer=mp4,mov,ipod,matroska,mpegts,flv,h264,hevc,null \
  --enable-protocol=file,pipe \
  --enable-bsf=h264_mp4toannexb,hevc_mp4toannexb,aac_adtstoasc,extract_extradata,dump_extradata,null \
  --enable-swscale --enable-swresample \
  >configure.log 2>&1 || { tail -30 configure.log; exit 1; }
grep -E '^(Enabled hwaccels|External libraries)' -A3 configure.log || true

make -j"$jobs" >make.log 2>&1 || { tail -40 make.log; exit 1; }
make install >install.log 2>&1 || { tail -20 install.log; exit 1; }
strip --strip-debug "$prefix"/lib/*.a

# The .pc files name the install prefix; keep them relocatable so the tree
# can be carried to another path (pkg-config's pcfiledir).
for pc in "$prefix"/lib/pkgconfig/*.pc; do
  sed -i -e 's|^prefix=.*|prefix=${pcfiledir}/../..|' "$pc"
done

echo "build-ffmpeg-static: done"
du -sh "$prefix/lib" "$prefix/include"
ls -la "$prefix"/lib/*.a
