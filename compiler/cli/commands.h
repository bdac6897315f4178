// commands.h - the iamc subcommands that live in their own files, and
// what they share.

#ifndef IAMC_COMMANDS_H
#define IAMC_COMMANDS_H

#include <stdbool.h>
#include <stddef.h>

#include "iamc.h"

// iamc_cmd_compile runs `iamc compile ACCOUNT -o FILE.pdpb ...` with the
// arguments after "compile"; returns the exit status (0, 1 errors, 2
// usage).
int iamc_cmd_compile(int argc, char **argv);

// iamc_cmd_export runs `iamc export --store PATH [-o FILE]
// [--all-versions]` and iamc_cmd_import `iamc import --store PATH
// ACCOUNT.json` (store.c); exit statuses as compile's.
int iamc_cmd_export(int argc, char **argv);
int iamc_cmd_import(int argc, char **argv);

// iamc_cli_write_atomic writes `data` to `path` through path.tmp:
// written, fsynced, then renamed over `path`, so readers see the old
// file or the new one, never a mix. 0 or an errno value.
int iamc_cli_write_atomic(const char *path, const void *data, size_t len);

// iamc_cli_print_diags prints diagnostics on standard error as FILE:
// JSON-PATH: error|warning: MESSAGE (errors only with `quiet`).
void iamc_cli_print_diags(const iamc_diags *d, bool quiet);

#endif // IAMC_COMMANDS_H
