# Tests of pdpcreds (pdp/creds): tokens, keyrings, decisions by
# credentials.
if(NOT TARGET pdpcreds)
	return()
endif()
pdp_test(creds/token_test pdpcreds PkgConfig::CRYPTO)
target_include_directories(test_creds_token_test PRIVATE
	${PROJECT_SOURCE_DIR}/pdp/creds)
pdp_test(creds/authorize_test pdpcreds PkgConfig::CRYPTO)
pdp_test(creds/alloc_test pdpcreds PkgConfig::CRYPTO)
if(TARGET pdpd_harness)
	pdp_test(creds/pdpd_test pdpcreds pdpd_harness PkgConfig::CRYPTO)
	add_dependencies(test_creds_pdpd_test pdpd)
endif()
