# An interface target carrying the project's warning and sanitizer flags;
# every ballcam target links it (no global flags). The warning flags are
# BUILD_INTERFACE only: the installed package (cmake/BallcamInstall.cmake)
# exports this target empty, so consumers keep their own warning settings.
add_library(ballcam_options INTERFACE)
target_compile_options(ballcam_options INTERFACE
  $<BUILD_INTERFACE:$<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor>>
  $<BUILD_INTERFACE:$<$<AND:$<COMPILE_LANGUAGE:CXX>,$<BOOL:${BALLCAM_WERROR}>>:-Werror>>)
if(BALLCAM_SANITIZE)
  string(REPLACE ";" "," _bc_san "${BALLCAM_SANITIZE}")
  target_compile_options(ballcam_options INTERFACE
    $<$<COMPILE_LANGUAGE:CXX>:-fsanitize=${_bc_san} -fno-omit-frame-pointer -fno-sanitize-recover=undefined>)
  target_link_options(ballcam_options INTERFACE -fsanitize=${_bc_san})
endif()
