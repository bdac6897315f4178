# Unit tests of the policy compiler (compiler/src).
pdp_test(compiler/arena_test iamc_core)
pdp_test(compiler/policy_test iamc_core)
pdp_test(compiler/statement_test iamc_core)
pdp_test(compiler/action_test iamc_core)
pdp_test(compiler/resource_test iamc_core)
pdp_test(compiler/principal_test iamc_core)
pdp_test(compiler/condition_test iamc_core)
pdp_test(compiler/template_test iamc_core)
