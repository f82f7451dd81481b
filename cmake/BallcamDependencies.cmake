# Required: Debian packages only. Optional: CUDA toolkit, libtorch.
# BALLCAM_GPU_ONLY needs none of the video/config/CLI libraries, and uses
# GoogleTest only if it is there (tests/gpu has a fallback harness).
find_package(Threads REQUIRED)

# FFmpeg: the system's (pkg-config), or a static prefix made by
# scripts/build-ffmpeg-static.sh (-DBALLCAM_FFMPEG_ROOT=...; no pkg-config
# needed: the GPU machine has none of FFmpeg). Both give PkgConfig::FFMPEG.
set(BALLCAM_FFMPEG_ROOT "" CACHE PATH "Static FFmpeg prefix (scripts/build-ffmpeg-static.sh) instead of the system FFmpeg")
if(BALLCAM_FFMPEG_ROOT)
  get_filename_component(_bc_ff "${BALLCAM_FFMPEG_ROOT}" ABSOLUTE BASE_DIR "${CMAKE_SOURCE_DIR}")
  set(_bc_ff_libs)
  foreach(_lib avformat avcodec swscale swresample avutil x264)
    if(NOT EXISTS "${_bc_ff}/lib/lib${_lib}.a")
      message(FATAL_ERROR "BALLCAM_FFMPEG_ROOT=${_bc_ff}: lib/lib${_lib}.a missing (run scripts/build-ffmpeg-static.sh)")
    endif()
    list(APPEND _bc_ff_libs "${_bc_ff}/lib/lib${_lib}.a")
  endforeach()
  add_library(PkgConfig::FFMPEG INTERFACE IMPORTED)
  set_target_properties(PkgConfig::FFMPEG PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${_bc_ff}/include"
    INTERFACE_LINK_LIBRARIES "${_bc_ff_libs};Threads::Threads;${CMAKE_DL_LIBS};m")
  set(FFMPEG_FOUND ON)
  message(STATUS "ballcam: static FFmpeg from ${_bc_ff}")
endif()

if(NOT BALLCAM_GPU_ONLY)
  find_package(PkgConfig REQUIRED)
  if(NOT BALLCAM_FFMPEG_ROOT)
    pkg_check_modules(FFMPEG REQUIRED IMPORTED_TARGET
      libavformat libavcodec libavutil libswscale libswresample)
  endif()
  pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
  find_package(yaml-cpp REQUIRED)
  find_package(nlohmann_json REQUIRED)
  find_package(fmt REQUIRED)
  find_package(spdlog REQUIRED)
  find_package(CLI11 REQUIRED)
  find_package(PNG REQUIRED)
  if(BALLCAM_BUILD_TESTS)
    find_package(GTest REQUIRED)
  endif()
  if(BALLCAM_BUILD_BENCH)
    find_package(benchmark QUIET)
  endif()
elseif(BALLCAM_BUILD_TESTS)
  find_package(GTest QUIET)
endif()

# --- CUDA (AUTO) -------------------------------------------------------------
set(BALLCAM_HAVE_CUDA OFF)
if(NOT BALLCAM_WITH_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 75 80 86 89 90)
    endif()
    enable_language(CUDA)
    find_package(CUDAToolkit QUIET)
    if(CUDAToolkit_FOUND)
      set(BALLCAM_HAVE_CUDA ON)
    endif()
  endif()
  if(BALLCAM_WITH_CUDA STREQUAL "ON" AND NOT BALLCAM_HAVE_CUDA)
    message(FATAL_ERROR "BALLCAM_WITH_CUDA=ON but no CUDA toolkit was found")
  endif()
endif()

# --- libtorch (AUTO) -----------------------------------------------------------
set(BALLCAM_HAVE_TORCH OFF)
if(NOT BALLCAM_WITH_TORCH STREQUAL "OFF")
  if(NOT Torch_DIR)
    # The project venv (scripts/setup.sh) or any python with torch installed.
    foreach(_py "${CMAKE_CURRENT_SOURCE_DIR}/.venv/bin/python3" python3)
      execute_process(COMMAND ${_py} -c "import torch.utils; print(torch.utils.cmake_prefix_path)"
        OUTPUT_VARIABLE _bc_torch_prefix OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE _bc_rc)
      if(_bc_rc EQUAL 0 AND _bc_torch_prefix)
        list(APPEND CMAKE_PREFIX_PATH "${_bc_torch_prefix}")
        set(BALLCAM_TORCH_PYTHON "${_py}")  # tests run reference models with it
        break()
      endif()
    endforeach()
  endif()
  # TorchConfig (CUDA wheels) would try_run a GPU probe to pick nvcc arch
  # flags, which fails on a machine without a GPU and is useless to us (our
  # kernels are built by src/gpu with their own flags): name the archs. It
  # also sets CMAKE_CUDA_STANDARD from CMAKE_CXX_STANDARD; keep ours.
  if(NOT DEFINED TORCH_CUDA_ARCH_LIST AND NOT DEFINED ENV{TORCH_CUDA_ARCH_LIST})
    set(TORCH_CUDA_ARCH_LIST "7.5;8.0;8.6;8.9;9.0")
  endif()
  if(DEFINED CMAKE_CUDA_STANDARD)
    set(_bc_cuda_std "${CMAKE_CUDA_STANDARD}")
  endif()
  find_package(Torch QUIET)
  if(DEFINED _bc_cuda_std)
    set(CMAKE_CUDA_STANDARD "${_bc_cuda_std}")
  else()
    unset(CMAKE_CUDA_STANDARD)
    unset(CMAKE_CUDA_STANDARD_REQUIRED)
  endif()
  if(Torch_FOUND)
    set(BALLCAM_HAVE_TORCH ON)
  elseif(BALLCAM_WITH_TORCH STREQUAL "ON")
    message(FATAL_ERROR "BALLCAM_WITH_TORCH=ON but libtorch was not found")
  endif()
endif()
