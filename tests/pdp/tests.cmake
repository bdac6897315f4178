# Unit tests of libpdp (pdp/src).
pdp_test(pdp/value_test pdp)
pdp_test(pdp/glob_test pdp)
pdp_test(pdp/request_test pdp)

# Shared by the tests below: a realistic bundle built with the compiler
# (fixture.c) and the naive reference evaluator (oracle.c).
pdp_library(pdp_testkit ${CMAKE_CURRENT_LIST_DIR}/fixture.c
	${CMAKE_CURRENT_LIST_DIR}/oracle.c)
target_link_libraries(pdp_testkit PUBLIC iamc_core)

pdp_test(pdp/bundle_test pdp_testkit)
pdp_test(pdp/alloc_test pdp_testkit)
pdp_test(pdp/engine_test pdp_testkit)
pdp_test(pdp/differential_test pdp_testkit)

# The installed tree used as an application would: embed.c built by
# pkg-config against the installed libpdp, the installed iamc and pdpd.
if(NOT PDP_FUZZ)
	set(PDP_INSTALL_FLAGS "")
	if(PDP_SANITIZE)
		set(PDP_INSTALL_FLAGS -fsanitize=address,undefined)
	endif()
	add_test(NAME pdp/install_smoke
		COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/install_smoke.sh
		    ${PROJECT_BINARY_DIR} ${CMAKE_C_COMPILER} ${PDP_INSTALL_FLAGS}
		WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endif()
