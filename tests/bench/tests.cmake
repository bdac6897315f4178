# A smoke run of the micro benchmark (pdpbench micro and memory); figures
# are not judged here.
if(TARGET pdpbench)
	add_test(NAME bench/micro_smoke
		COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/micro_smoke.sh
		    ${PROJECT_BINARY_DIR}
		WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endif()
