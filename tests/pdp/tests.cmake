# Unit tests of libpdp (pdp/src).
pdp_test(pdp/value_test pdp)
pdp_test(pdp/glob_test pdp)
pdp_test(pdp/request_test pdp)
