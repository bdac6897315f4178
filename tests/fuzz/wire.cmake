# The wire decoder's fuzz target. A PDP_FUZZ build has no pdp/server, so
# the codec library comes from proto/wire.cmake here.
include(${PROJECT_SOURCE_DIR}/proto/wire.cmake)
pdp_fuzz(wire ${CMAKE_CURRENT_LIST_DIR}/fuzz_wire.c pdpwire)
