# libFuzzer targets: one per parser or decoder. Built only in a PDP_FUZZ
# build (clang), which the top-level CMakeLists.txt includes directly.
if(NOT PDP_FUZZ)
	return()
endif()

pdp_fuzz(policy ${CMAKE_CURRENT_LIST_DIR}/fuzz_policy.c iamc_core)
pdp_fuzz(bundle ${CMAKE_CURRENT_LIST_DIR}/fuzz_bundle.c pdp)
pdp_fuzz(token ${CMAKE_CURRENT_LIST_DIR}/fuzz_token.c pdpcreds)
target_include_directories(fuzz_token PRIVATE ${PROJECT_SOURCE_DIR}/pdp/creds)
# The wire decoder's target lives with the server's tests.
include(${CMAKE_CURRENT_LIST_DIR}/wire.cmake OPTIONAL)
