# Unit tests of the policy compiler (compiler/src).
pdp_test(compiler/policy_test iamc_core)
