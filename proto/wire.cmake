# The wire codec (proto/wire.h), shared by pdpd, its client library, the
# benchmarks and the fuzz target. Included by pdp/server/CMakeLists.txt and
# by tests/fuzz/wire.cmake (a PDP_FUZZ build has no pdp/server), so it
# guards against being included twice.
if(NOT TARGET pdpwire)
	pdp_library(pdpwire ${CMAKE_CURRENT_LIST_DIR}/wire.c)
	target_include_directories(pdpwire PUBLIC ${CMAKE_CURRENT_LIST_DIR})
	target_link_libraries(pdpwire PUBLIC PkgConfig::MSGPACK)
endif()
