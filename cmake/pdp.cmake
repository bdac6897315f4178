# Build helpers shared by every folder: dependencies, warnings, tests.

include(CheckCCompilerFlag)

# pdp_find_dependencies finds every library the project uses, through
# pkg-config or the package's own CMake config. Nothing is vendored.
macro(pdp_find_dependencies)
	find_package(PkgConfig REQUIRED)
	pkg_check_modules(JANSSON REQUIRED IMPORTED_TARGET jansson)
	pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
	pkg_check_modules(LUA REQUIRED IMPORTED_TARGET lua5.4)
	pkg_check_modules(MSGPACK REQUIRED IMPORTED_TARGET msgpack)
	pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
	pkg_check_modules(CRYPTO REQUIRED IMPORTED_TARGET libcrypto)
	pkg_check_modules(CHECK REQUIRED IMPORTED_TARGET check)
	# Debian's nng ships a CMake config and no pkg-config file.
	find_package(nng CONFIG REQUIRED)
	find_package(Threads REQUIRED)
endmacro()

set(PDP_WARNINGS -Wall -Wextra -Wshadow -Wmissing-declarations
	-Wstrict-prototypes -Wpointer-arith -Wformat=2)

# Instrumentation shared by every target of a PDP_FUZZ build: libFuzzer's
# coverage hooks (linked in only by the fuzz targets themselves), ASan and
# UBSan. Every UB report aborts, so the fuzzer counts it as a crash.
set(PDP_FUZZ_COMPILE_OPTIONS -fsanitize=fuzzer-no-link,address,undefined
	-fno-sanitize-recover=all -fno-omit-frame-pointer -g)
set(PDP_FUZZ_LINK_OPTIONS -fsanitize=address,undefined
	-fno-sanitize-recover=all)

# pdp_check_fuzz_toolchain stops the configure early, with the fix, when
# PDP_FUZZ is on but the compiler cannot build a libFuzzer program (gcc,
# or clang without its runtime: Debian's libclang-rt-14-dev).
macro(pdp_check_fuzz_toolchain)
	if(PDP_FUZZ)
		if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
			message(FATAL_ERROR "PDP_FUZZ needs clang (libFuzzer); "
				"configure a fresh build directory with "
				"-DCMAKE_C_COMPILER=clang")
		endif()
		include(CheckCSourceCompiles)
		set(CMAKE_REQUIRED_FLAGS "-fsanitize=fuzzer,address,undefined")
		set(CMAKE_REQUIRED_LINK_OPTIONS -fsanitize=fuzzer,address,undefined)
		check_c_source_compiles([=[
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{ return (n > 0 && d[0] == 0) ? 0 : 0; }
]=] PDP_HAVE_LIBFUZZER)
		unset(CMAKE_REQUIRED_FLAGS)
		unset(CMAKE_REQUIRED_LINK_OPTIONS)
		if(NOT PDP_HAVE_LIBFUZZER)
			message(FATAL_ERROR "clang cannot link -fsanitize=fuzzer: "
				"install libclang-rt-14-dev (scripts/setup.sh)")
		endif()
		if(PDP_SANITIZE)
			message(STATUS "PDP_FUZZ already builds with ASan+UBSan; "
				"PDP_SANITIZE adds nothing")
		endif()
	endif()
endmacro()

# pdp_target_defaults applies the project's warnings and sanitizer flags.
# -Werror applies to our own sources only: third-party headers come in
# through imported targets, whose include directories are SYSTEM.
function(pdp_target_defaults target)
	target_compile_options(${target} PRIVATE ${PDP_WARNINGS})
	if(PDP_WERROR)
		target_compile_options(${target} PRIVATE -Werror)
	endif()
	if(PDP_FUZZ)
		target_compile_options(${target} PRIVATE ${PDP_FUZZ_COMPILE_OPTIONS})
		target_link_options(${target} PRIVATE ${PDP_FUZZ_LINK_OPTIONS})
	elseif(PDP_SANITIZE)
		target_compile_options(${target} PRIVATE
			-fsanitize=address,undefined -fno-sanitize-recover=all
			-fno-omit-frame-pointer)
		target_link_options(${target} PRIVATE
			-fsanitize=address,undefined -fno-sanitize-recover=all)
	endif()
endfunction()

# pdp_library(name SOURCES...) builds a static library with the defaults.
function(pdp_library name)
	add_library(${name} STATIC ${ARGN})
	pdp_target_defaults(${name})
endfunction()

# pdp_executable(name SOURCES...) builds a program with the defaults.
function(pdp_executable name)
	add_executable(${name} ${ARGN})
	pdp_target_defaults(${name})
endfunction()

# pdp_test(dir/name [LIBS...]) builds tests/dir/name.c as a Check test
# program and registers it with CTest under dir/name.
function(pdp_test path)
	get_filename_component(name ${path} NAME)
	string(REPLACE "/" "_" target "test_${path}")
	add_executable(${target} ${CMAKE_CURRENT_SOURCE_DIR}/${path}.c)
	pdp_target_defaults(${target})
	target_include_directories(${target} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
	target_link_libraries(${target} PRIVATE ${ARGN} PkgConfig::CHECK)
	target_compile_definitions(${target} PRIVATE
		PDP_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
		PDP_BINARY_DIR="${PROJECT_BINARY_DIR}")
	add_test(NAME ${path} COMMAND ${target})
	set_tests_properties(${path} PROPERTIES ENVIRONMENT
		"PDP_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()

# pdp_fuzz(name SOURCE LIBS...) builds the libFuzzer target fuzz_<name>
# (PDP_FUZZ builds only) into ${PROJECT_BINARY_DIR}/fuzz/ and registers a
# CTest test, fuzz/<name>_seeds, that replays its seed corpus
# tests/fuzz/seeds/<name>/ once. scripts/test.sh then fuzzes every program
# in that folder for a bounded time from the same seeds, with
# tests/fuzz/<name>.dict as dictionary when that file exists.
function(pdp_fuzz name source)
	set(target fuzz_${name})
	add_executable(${target} ${source})
	pdp_target_defaults(${target})
	target_compile_options(${target} PRIVATE -fsanitize=fuzzer)
	target_link_options(${target} PRIVATE -fsanitize=fuzzer)
	target_link_libraries(${target} PRIVATE ${ARGN})
	set_target_properties(${target} PROPERTIES
		RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/fuzz)
	set(seeds ${PROJECT_SOURCE_DIR}/tests/fuzz/seeds/${name})
	if(IS_DIRECTORY ${seeds})
		add_test(NAME fuzz/${name}_seeds
			COMMAND ${target} -runs=0 ${seeds})
	endif()
endfunction()
