# Tests of the IAM service (pdp/iam): operations, crash safety,
# concurrency, and the iam command.
if(TARGET iamsvc)
	pdp_test(iam/service_test iamsvc)
	pdp_test(iam/durability_test iamsvc)
	pdp_test(iam/live_test iamsvc)
	pdp_test(iam/aws_managed_test iamsvc)
endif()
if(TARGET iam)
	add_test(NAME iam/cli COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/cli_test.sh
		$<TARGET_FILE:iam>)
endif()
