# Tests of the IAM service (pdp/iam): operations, crash safety,
# concurrency, and the iam command.
if(TARGET iamsvc)
	pdp_test(iam/service_test iamsvc)
	pdp_test(iam/durability_test iamsvc)
	pdp_test(iam/mfa_test iamsvc)
endif()
if(TARGET iam)
	add_test(NAME iam/cli COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/cli_test.sh
		$<TARGET_FILE:iam>)
endif()
if(TARGET iamsvc)
	pdp_test(iam/sts_test iamsvc)
endif()
if(TARGET sts AND TARGET pdpd)
	add_test(NAME iam/sts_cli COMMAND sh
		${CMAKE_CURRENT_LIST_DIR}/sts_cli_test.sh $<TARGET_FILE:iam>
		$<TARGET_FILE:sts> $<TARGET_FILE:pdpd>)
endif()
