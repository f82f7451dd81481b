# An interface target carrying the project's warning and sanitizer flags;
# every ballcam target links it (no global flags). The warning flags are
# BUILD_INTERFACE only: the installed package (cmake/BallcamInstall.cmake)
# exports this target empty, so consumers keep their own warning settings.
add_library(ballcam_options INTERFACE)
target_compile_options(ballcam_options INTERFACE
  $<BUILD_INTERFACE:$<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wnon-virtual-dtor>>
  $<BUILD_INTERFACE:$<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CXX_COMPILER_ID:GNU>>:-Wshadow=local>>
  $<BUILD_INTERFACE:$<$<AND:$<COMPILE_LANGUAGE:CXX>,$<BOOL:${BALLCAM_WERROR}>>:-Werror>>)
if(BALLCAM_SANITIZE)
  string(REPLACE ";" "," _bc_san "${BALLCAM_SANITIZE}")
  target_compile_options(ballcam_options INTERFACE
    $<$<COMPILE_LANGUAGE:CXX>:-fsanitize=${_bc_san} -fno-omit-frame-pointer -fno-sanitize-recover=undefined>
    # GCC's instrumentation makes -Wmaybe-uninitialized report false positives
    # (GCC's manual says so), e.g. on std::variant<Frame, ...> moves.
    $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CXX_COMPILER_ID:GNU>>:-Wno-maybe-uninitialized>)
  target_link_options(ballcam_options INTERFACE -fsanitize=${_bc_san})
endif()
if(BALLCAM_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "BALLCAM_FUZZ needs clang (libFuzzer): -DCMAKE_CXX_COMPILER=clang++")
  endif()
  # Coverage feedback for libFuzzer in every ballcam target; the fuzz targets
  # themselves link -fsanitize=fuzzer (tests/fuzz).
  target_compile_options(ballcam_options INTERFACE $<$<COMPILE_LANGUAGE:CXX>:-fsanitize=fuzzer-no-link>)
endif()
