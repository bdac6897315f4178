// iamc_plugins.h - the condition keys of a plugin directory, read from the
// plugins' manifests (NAME.json, plugins/README.md) without running any
// Lua, so that the compiler can mark, type-check and spell-check the
// conditions that use them.

#ifndef IAMC_PLUGINS_H
#define IAMC_PLUGINS_H

#include <stddef.h>

#include "iamc.h"

typedef struct iamc_plugin_keys iamc_plugin_keys;

// iamc_plugin_keys_open reads every manifest of directory `dir` and sets
// *out. A manifest that is not JSON, or that declares a key without a
// valid type, fails the whole directory: PDP_EINVAL with "FILE: message"
// in err; PDP_EIO when the directory cannot be read; PDP_ENOMEM.
int iamc_plugin_keys_open(const char *dir, iamc_plugin_keys **out,
    char *err, size_t errlen);

// iamc_plugin_keys_close frees k. close(NULL) is a no-op.
void iamc_plugin_keys_close(iamc_plugin_keys *k);

// iamc_plugin_keys_options returns compile options that declare the keys;
// valid until k is closed.
const iamc_compile_options *iamc_plugin_keys_options(
    const iamc_plugin_keys *k);

#endif // IAMC_PLUGINS_H
