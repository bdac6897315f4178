// iamc_table.h - building hashed decision tables (pdp/src/table.h).

#ifndef IAMC_TABLE_H
#define IAMC_TABLE_H

#include "iamc.h"
#include "table.h"

// iamc_table_build indexes the statements of the `n` policies in `v` by
// action and writes the table block, allocated in `a`, to *out. Returns
// PDP_OK or PDP_ENOMEM.
int iamc_table_build(iamc_arena *a, const pdpi_policy *const *v, uint32_t n,
    pdpi_table *out);

#endif // IAMC_TABLE_H
