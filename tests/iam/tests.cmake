# Tests of the IAM service (pdp/iam): operations, crash safety,
# concurrency, the iam command (in-process and over pdpd's socket),
# iamc export and import, and the README's walkthrough.
if(TARGET iamsvc)
	pdp_test(iam/service_test iamsvc)
	pdp_test(iam/durability_test iamsvc)
	pdp_test(iam/mfa_test iamsvc)
	pdp_test(iam/live_test iamsvc)
	pdp_test(iam/aws_managed_test iamsvc)
	pdp_test(iam/report_test iamsvc PkgConfig::CRYPTO)
	pdp_test(iam/trail_test iamsvc PkgConfig::SQLITE3)
endif()
if(TARGET iam AND TARGET pdpd AND TARGET example_client)
	add_test(NAME iam/cli COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/cli_test.sh
		$<TARGET_FILE:iam> $<TARGET_FILE:pdpd>)
	add_test(NAME iam/roundtrip
		COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/roundtrip_test.sh
		$<TARGET_FILE:iam> $<TARGET_FILE:iamc> $<TARGET_FILE:pdpd>
		$<TARGET_FILE:example_client>)
	add_test(NAME iam/walkthrough
		COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/walkthrough_test.sh
		${PROJECT_SOURCE_DIR}/README.md $<TARGET_FILE_DIR:iam>
		$<TARGET_FILE_DIR:pdpd> $<TARGET_FILE_DIR:example_client>
		$<TARGET_FILE_DIR:iamc>)
endif()
if(TARGET iamsvc)
	pdp_test(iam/sts_test iamsvc)
endif()
if(TARGET sts AND TARGET pdpd)
	add_test(NAME iam/sts_cli COMMAND sh
		${CMAKE_CURRENT_LIST_DIR}/sts_cli_test.sh $<TARGET_FILE:iam>
		$<TARGET_FILE:sts> $<TARGET_FILE:pdpd>)
endif()
