# Tests of pdpcreds (pdp/creds): tokens, keyrings, decisions by
# credentials.
if(NOT TARGET pdpcreds)
	return()
endif()
pdp_test(creds/token_test pdpcreds PkgConfig::CRYPTO)
pdp_test(creds/authorize_test pdpcreds PkgConfig::CRYPTO)
pdp_test(creds/alloc_test pdpcreds PkgConfig::CRYPTO)
