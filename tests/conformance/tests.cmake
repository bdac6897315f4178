# The conformance suite: IAM behaviour as data, run through the library
# and through `iamc eval`.
pdp_test(conformance/runner iamc_core)
add_dependencies(test_conformance_runner iamc)
