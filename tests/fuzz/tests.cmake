# libFuzzer targets: one per parser or decoder. Built only in a PDP_FUZZ
# build (clang), which the top-level CMakeLists.txt includes directly.
if(NOT PDP_FUZZ)
	return()
endif()

pdp_fuzz(policy ${CMAKE_CURRENT_LIST_DIR}/fuzz_policy.c iamc_core)
pdp_fuzz(bundle ${CMAKE_CURRENT_LIST_DIR}/fuzz_bundle.c pdp)
# The IAM service is not in a fuzz build: its base32 and TOTP file is
# compiled into the target alone.
pdp_fuzz(base32 ${CMAKE_CURRENT_LIST_DIR}/fuzz_base32.c PkgConfig::CRYPTO)
target_sources(fuzz_base32 PRIVATE ${PROJECT_SOURCE_DIR}/pdp/iam/totp.c)
target_include_directories(fuzz_base32 PRIVATE ${PROJECT_SOURCE_DIR}/pdp/iam)
# The wire decoder's target lives with the server's tests.
include(${CMAKE_CURRENT_LIST_DIR}/wire.cmake OPTIONAL)
