# An interface target carrying the project's warning and sanitizer flags;
# every ballcam target links it (no global flags).
add_library(ballcam_options INTERFACE)
target_compile_options(ballcam_options INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor>
  $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<BOOL:${BALLCAM_WERROR}>>:-Werror>)
if(BALLCAM_SANITIZE)
  string(REPLACE ";" "," _bc_san "${BALLCAM_SANITIZE}")
  target_compile_options(ballcam_options INTERFACE
    $<$<COMPILE_LANGUAGE:CXX>:-fsanitize=${_bc_san} -fno-omit-frame-pointer -fno-sanitize-recover=undefined>)
  target_link_options(ballcam_options INTERFACE -fsanitize=${_bc_san})
endif()
