# pdpd's tests: the wire codec, and pdpd itself started on temporary ipc://
# addresses (decisions, bad input, reload under load, drain, conformance,
# IAM calls on a store).
if(NOT TARGET pdpd)
	return()
endif()

# Test bundles and pdpd processes, shared by the tests below.
add_library(pdpd_harness STATIC ${CMAKE_CURRENT_LIST_DIR}/harness.c)
pdp_target_defaults(pdpd_harness)
target_include_directories(pdpd_harness PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(pdpd_harness PUBLIC iamc_core pdpclient PkgConfig::CHECK)
target_compile_definitions(pdpd_harness PUBLIC
	PDP_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
	PDP_BINARY_DIR="${PROJECT_BINARY_DIR}")

# examples/client.c is built here so that it cannot rot; pdpd_test runs it.
pdp_executable(example_client ${PROJECT_SOURCE_DIR}/examples/client.c)
target_link_libraries(example_client PRIVATE pdpclient)
set_target_properties(example_client PROPERTIES
	RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)

pdp_test(server/wire_test pdpwire)
pdp_test(server/pdpd_test pdpd_harness)
pdp_test(server/reload_test pdpd_harness)
pdp_test(server/conformance_test pdpd_harness)
pdp_test(server/plugins_test pdpd_harness)
pdp_test(server/iam_test pdpd_harness iamsvc)
foreach(t pdpd_test reload_test conformance_test plugins_test iam_test)
	add_dependencies(test_server_${t} pdpd example_client)
endforeach()

# A smoke run of the load benchmark's script (pdpbench load, the echo
# server, batches, reloads under load); figures are not judged here.
if(TARGET pdpbench)
	add_test(NAME server/load_smoke
		COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/load_smoke.sh
		    ${PROJECT_BINARY_DIR}
		WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endif()
