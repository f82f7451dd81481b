# Packaging: what `cmake --install` puts under the prefix, the CMake package
# (find_package(ballcam) + ballcam::ballcam_lib, ballcam::core, ...) and the
# CPack .deb. Included by the root CMakeLists.txt after src/ is configured.
#
#   PREFIX/bin/ballcam
#   PREFIX/include/ballcam/<module>/*.hpp     (#include "core/frame.hpp")
#   PREFIX/lib/libballcam_<module>.a
#   PREFIX/lib/cmake/ballcam/ballcam{Config,ConfigVersion,Targets*}.cmake
#   PREFIX/share/doc/ballcam/                 (README, docs/)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(BALLCAM_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/ballcam" CACHE STRING
  "Where the ballcam CMake package files go (relative to the prefix)")
set(_bc_incdir "${CMAKE_INSTALL_INCLUDEDIR}/ballcam")

# --- the exported libraries ----------------------------------------------------
# Every in-tree ballcam_* target reachable from the roots, found by walking
# link dependencies, so a module added later is exported without a list here.
function(_ballcam_collect_targets out)
  set(_todo ${ARGN})
  set(_seen "")
  while(_todo)
    list(POP_FRONT _todo _t)
    if(NOT TARGET ${_t} OR _t IN_LIST _seen)
      continue()
    endif()
    get_target_property(_imported ${_t} IMPORTED)
    get_target_property(_aliased ${_t} ALIASED_TARGET)
    if(_imported OR _aliased)
      continue()
    endif()
    list(APPEND _seen ${_t})
    get_target_property(_type ${_t} TYPE)
    set(_deps "")
    get_target_property(_ideps ${_t} INTERFACE_LINK_LIBRARIES)
    if(_ideps)
      list(APPEND _deps ${_ideps})
    endif()
    if(NOT _type STREQUAL "INTERFACE_LIBRARY")
      get_target_property(_ldeps ${_t} LINK_LIBRARIES)
      if(_ldeps)
        list(APPEND _deps ${_ldeps})
      endif()
    endif()
    foreach(_d IN LISTS _deps)
      string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" _d "${_d}")
      if(_d MATCHES "^ballcam_" AND TARGET ${_d})
        list(APPEND _todo ${_d})
      endif()
    endforeach()
  endwhile()
  set(${out} ${_seen} PARENT_SCOPE)
endfunction()

_ballcam_collect_targets(BALLCAM_EXPORTED_TARGETS ballcam_lib ballcam_gpu_ref ballcam_gpu)

foreach(_t IN LISTS BALLCAM_EXPORTED_TARGETS)
  # Source-tree include directories only hold while building; the installed
  # package uses PREFIX/include/ballcam (added by INCLUDES DESTINATION below).
  get_target_property(_dirs ${_t} INTERFACE_INCLUDE_DIRECTORIES)
  if(_dirs)
    set(_wrapped "")
    foreach(_d IN LISTS _dirs)
      if(IS_ABSOLUTE "${_d}")
        list(APPEND _wrapped "$<BUILD_INTERFACE:${_d}>")
      else()
        list(APPEND _wrapped "${_d}")
      endif()
    endforeach()
    set_property(TARGET ${_t} PROPERTY INTERFACE_INCLUDE_DIRECTORIES "${_wrapped}")
  endif()
  # ballcam_core -> ballcam::core; ballcam_lib keeps its name (ballcam::ballcam_lib).
  if(_t STREQUAL "ballcam_lib")
    set(_name ballcam_lib)
  else()
    string(REGEX REPLACE "^ballcam_" "" _name "${_t}")
  endif()
  set_property(TARGET ${_t} PROPERTY EXPORT_NAME ${_name})
  # The same names inside this build (add_subdirectory users, bindings).
  if(NOT TARGET ballcam::${_name})
    add_library(ballcam::${_name} ALIAS ${_t})
  endif()
endforeach()

install(TARGETS ${BALLCAM_EXPORTED_TARGETS} EXPORT ballcamTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${_bc_incdir})
install(EXPORT ballcamTargets NAMESPACE ballcam:: DESTINATION ${BALLCAM_INSTALL_CMAKEDIR})

# --- public headers ------------------------------------------------------------
# src/<module>/*.hpp -> include/ballcam/<module>/, except the FFmpeg-internal
# ones and, without a CUDA build, the headers that include the CUDA runtime.
set(_bc_private_headers io/ffmpeg_raii.hpp io/media_internal.hpp detect/builtin.hpp)
if(NOT BALLCAM_HAVE_CUDA)
  list(APPEND _bc_private_headers gpu/cuda_check.hpp gpu/cuda_raii.hpp gpu/kernels.hpp)
endif()
file(GLOB _bc_headers RELATIVE "${PROJECT_SOURCE_DIR}/src" CONFIGURE_DEPENDS
  "${PROJECT_SOURCE_DIR}/src/*/*.hpp")
foreach(_h IN LISTS _bc_headers)
  if(_h IN_LIST _bc_private_headers)
    continue()
  endif()
  get_filename_component(_mod "${_h}" DIRECTORY)
  if(NOT ballcam_${_mod} IN_LIST BALLCAM_EXPORTED_TARGETS AND NOT _mod STREQUAL "app"
     AND NOT _mod STREQUAL "gpu")
    continue()  # a module whose library is not exported (work in progress, optional backend)
  endif()
  install(FILES "${PROJECT_SOURCE_DIR}/src/${_h}" DESTINATION "${_bc_incdir}/${_mod}")
endforeach()

# --- the CMake package -----------------------------------------------------------
set(BALLCAM_PACKAGE_NEEDS_CUDA ${BALLCAM_HAVE_CUDA})
set(BALLCAM_PACKAGE_NEEDS_TORCH OFF)
foreach(_t IN LISTS BALLCAM_EXPORTED_TARGETS)
  get_target_property(_ideps ${_t} INTERFACE_LINK_LIBRARIES)
  get_target_property(_type ${_t} TYPE)
  if(NOT _type STREQUAL "INTERFACE_LIBRARY")
    get_target_property(_ldeps ${_t} LINK_LIBRARIES)
    list(APPEND _ideps ${_ldeps})
  endif()
  if(_ideps MATCHES "torch")
    set(BALLCAM_PACKAGE_NEEDS_TORCH ON)
  endif()
endforeach()
configure_package_config_file(
  "${CMAKE_CURRENT_LIST_DIR}/ballcamConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/ballcamConfig.cmake"
  INSTALL_DESTINATION "${BALLCAM_INSTALL_CMAKEDIR}")
# 0.x: a minor version may break the API.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/ballcamConfigVersion.cmake"
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/ballcamConfig.cmake" "${PROJECT_BINARY_DIR}/ballcamConfigVersion.cmake"
  DESTINATION "${BALLCAM_INSTALL_CMAKEDIR}")

# --- documentation ---------------------------------------------------------------
install(FILES "${PROJECT_SOURCE_DIR}/README.md" DESTINATION "${CMAKE_INSTALL_DOCDIR}")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/docs/" DESTINATION "${CMAKE_INSTALL_DOCDIR}"
  FILES_MATCHING PATTERN "*.md" PATTERN "device-results" EXCLUDE)

# --- CPack: a .deb for Debian 12 ---------------------------------------------------
# `cpack` in the build directory writes ballcam_<version>_<arch>.deb; the
# package installs under /usr. Depends lists the Debian 12 runtime libraries
# the binary links (check with `ldd build/src/app/ballcam`).
set(CPACK_PACKAGE_NAME ballcam)
set(CPACK_PACKAGE_VENDOR "ballcam")
set(CPACK_PACKAGE_CONTACT "ballcam maintainers <ballcam@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Follows the ball in football video with a virtual broadcast camera")
set(CPACK_PACKAGE_DESCRIPTION
  "ballcam decodes a football match video (file or live stream), finds and tracks the ball, \
moves a virtual pan/zoom camera and encodes or streams the result. Also ships the static \
libraries, headers and CMake package (find_package(ballcam)).")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_SECTION video)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "libavcodec59, libavformat59, libavutil57, libswscale6, libswresample4, libyaml-cpp0.7, \
libspdlog1.10, libfmt9, libcpp-httplib0.11, libpng16-16, libstdc++6, libgcc-s1, libc6")
# Only needed to build against the installed headers and libraries.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS
  "cmake, pkg-config, libavformat-dev, libavcodec-dev, libavutil-dev, libswscale-dev, \
libswresample-dev, libyaml-cpp-dev, libspdlog-dev, libfmt-dev, nlohmann-json3-dev, \
libcpp-httplib-dev, libpng-dev")
# One package with every install component except the Python module
# (src/bindings, COMPONENT python: pip installs that one).
get_cmake_property(_bc_components COMPONENTS)
list(REMOVE_ITEM _bc_components python)
set(CPACK_COMPONENTS_ALL ${_bc_components})
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
include(CPack)
