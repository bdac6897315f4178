// plugins.h - `--plugins DIR` for the iamc subcommands: the keys the
// compiler learns from the manifests and, for eval, one plugin worker
// whose provider decides the lines.

#ifndef IAMC_CLI_PLUGINS_H
#define IAMC_CLI_PLUGINS_H

#include <stdbool.h>

#include "iamc.h"
#include "iamc_eval.h"

typedef struct iamc_cli_plugins {
	struct iamc_plugin_keys *keys;
	struct pdpl_host *host;     // eval only
	struct pdpl_worker *worker; // eval only
	iamc_eval_options eval;     // compile options and provider
} iamc_cli_plugins;

// iamc_cli_plugins_open reads plugin directory `dir`: the manifests'
// keys, and with `run` also the plugins themselves (a host and one
// worker). Prints what failed to stderr and returns false.
bool iamc_cli_plugins_open(const char *dir, bool run, iamc_cli_plugins *p);

// iamc_cli_plugins_close frees what open made; a zeroed p is fine.
void iamc_cli_plugins_close(iamc_cli_plugins *p);

#endif // IAMC_CLI_PLUGINS_H
