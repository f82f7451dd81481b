# CTest install.consumer: install the build tree into a temporary prefix,
# check the layout, then configure, build and run tests/install/consumer
# against it with find_package(ballcam).
#   cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DCONSUMER_DIR=... -DWORK_DIR=...
#         -DGENERATOR=... -DCXX=... -P run_consumer.cmake
foreach(_v BUILD_DIR SOURCE_DIR CONSUMER_DIR WORK_DIR GENERATOR)
  if(NOT DEFINED ${_v})
    message(FATAL_ERROR "run_consumer.cmake: ${_v} is not set")
  endif()
endforeach()

function(run_step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _out)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${_rc}):\n${_out}")
  endif()
  message(STATUS "${what}: ok")
  set(STEP_OUTPUT "${_out}" PARENT_SCOPE)
endfunction()

set(_prefix "${WORK_DIR}/prefix")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

# The components the .deb carries (CPACK_COMPONENTS_ALL: all but the Python module).
include("${BUILD_DIR}/CPackConfig.cmake")
foreach(_c IN LISTS CPACK_COMPONENTS_ALL)
  run_step("cmake --install (${_c})" "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${_prefix}" --component "${_c}")
endforeach()

# The layout the package promises.
foreach(_f bin/ballcam include/ballcam/core/frame.hpp include/ballcam/core/bounded_queue.hpp
           include/ballcam/eval/evaluate.hpp lib/libballcam_core.a
           lib/cmake/ballcam/ballcamConfig.cmake lib/cmake/ballcam/ballcamConfigVersion.cmake
           lib/cmake/ballcam/ballcamTargets.cmake)
  if(NOT EXISTS "${_prefix}/${_f}")
    message(FATAL_ERROR "missing from the install: ${_f}")
  endif()
endforeach()
if(EXISTS "${_prefix}/include/ballcam/io/ffmpeg_raii.hpp")
  message(FATAL_ERROR "internal header io/ffmpeg_raii.hpp was installed")
endif()
# The installed package must not point back into the source or build tree.
file(GLOB _cmake_files "${_prefix}/lib/cmake/ballcam/*.cmake")
foreach(_f IN LISTS _cmake_files)
  file(READ "${_f}" _text)
  foreach(_tree "${SOURCE_DIR}/" "${BUILD_DIR}/")
    string(FIND "${_text}" "${_tree}" _pos)
    if(_pos GREATER -1)
      message(FATAL_ERROR "${_f} refers to ${_tree}")
    endif()
  endforeach()
endforeach()
run_step("ballcam --help" "${_prefix}/bin/ballcam" --help)

set(_cxx_arg "")
if(CXX)
  set(_cxx_arg "-DCMAKE_CXX_COMPILER=${CXX}")
endif()
# A build with libtorch needs the consumer to find the same PyTorch.
set(_torch_arg "")
if(TORCH_DIR)
  set(_torch_arg "-DTorch_DIR=${TORCH_DIR}")
endif()
run_step("configure consumer" "${CMAKE_COMMAND}" -S "${CONSUMER_DIR}" -B "${WORK_DIR}/consumer"
  -G "${GENERATOR}" -DCMAKE_BUILD_TYPE=Release "-DCMAKE_PREFIX_PATH=${_prefix}" ${_cxx_arg} ${_torch_arg})
run_step("build consumer" "${CMAKE_COMMAND}" --build "${WORK_DIR}/consumer")
run_step("run consumer" "${WORK_DIR}/consumer/consumer")
message("${STEP_OUTPUT}")
if(NOT STEP_OUTPUT MATCHES "ballcam consumer: 5 frames through BoundedQueue; eval frames=10 recall=1.00")
  message(FATAL_ERROR "unexpected consumer output")
endif()
