// GoogleTest when the build has it, otherwise the tiny shim (test_shim.hpp).
#pragma once

#if defined(BALLCAM_TEST_SHIM)
#include "test_shim.hpp"
#else
#include <gtest/gtest.h>
#endif
