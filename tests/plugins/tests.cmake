# Tests of the Lua plugin host (plugins/) and of the compiler's handling
# of plugin condition keys. Built only where the plugin host is.
if(TARGET pdpl)
	pdp_test(plugins/examples_test pdpl iamc_core)
	pdp_test(plugins/worker_test pdpl iamc_core)
	pdp_test(plugins/sandbox_test pdpl iamc_core)
	pdp_test(plugins/compile_test iamc_core)
endif()

# The example lines decide as their ids say, through iamc eval --plugins.
if(TARGET pdpl AND TARGET iamc)
	add_test(NAME plugins/eval_examples
		COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/eval_examples.sh
		$<TARGET_FILE:iamc> ${PROJECT_SOURCE_DIR})
endif()
