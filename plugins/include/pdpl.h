// pdpl.h - the Lua plugin host: custom condition keys and request rules
// written in Lua 5.4, offered to libpdp as a pdp_provider (pdp.h).
//
// A host holds the plugins of one directory, loaded and validated once. A
// worker is one sandboxed lua_State made from a host, for one thread: its
// provider goes into pdp_request.provider on that thread only, so no lock
// is ever taken while deciding. A reload opens a new host; workers of the
// old host keep running the old plugins until they are closed.

#ifndef PDPL_H
#define PDPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdp.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pdpl_host pdpl_host;
typedef struct pdpl_worker pdpl_worker;

// Limits of every Lua call (a key, a check, or running a plugin file when
// a state is made). Zero fields take the defaults.
typedef struct pdpl_options {
	uint32_t budget;    // VM instructions per call; 0: PDPL_BUDGET
	size_t memory;      // bytes one lua_State may hold; 0: PDPL_MEMORY
} pdpl_options;

#define PDPL_BUDGET 100000
#define PDPL_MEMORY ((size_t) 8 << 20)

// pdpl_host_open loads every plugin of directory `dir`: each NAME.json
// manifest with its NAME.lua (plugins/README.md), plus every other .lua
// file as a module for `require`. Each plugin is compiled and run once in
// a scratch sandbox and its returned table checked against its manifest.
// On success *out holds one reference. On failure nothing is returned
// and `err` (errlen bytes, may be NULL) says what failed, as
// "FILE:LINE: message" where Lua knows the line. Errors: PDP_EIO (the
// directory or a file cannot be read), PDP_EINVAL (a bad manifest),
// PDP_EPLUGIN (a plugin does not compile, fails when run, or does not
// match its manifest), PDP_ENOMEM. Thread-safe.
int pdpl_host_open(const char *dir, const pdpl_options *opt,
    pdpl_host **out, char *err, size_t errlen);

// pdpl_host_hold takes one more reference to `h`; pdpl_host_close drops
// one and frees the host with the last (workers hold their own).
// close(NULL) is a no-op. Thread-safe.
void pdpl_host_hold(pdpl_host *h);
void pdpl_host_close(pdpl_host *h);

// pdpl_host_plugins returns the number of plugins; pdpl_host_plugin_name
// the name of plugin i (i < count), valid while the host is held.
uint32_t pdpl_host_plugins(const pdpl_host *h);
const char *pdpl_host_plugin_name(const pdpl_host *h, uint32_t i);

// pdpl_worker_open makes a worker (one sandboxed lua_State with every
// plugin of `h` loaded) and sets *out; the worker holds a reference to
// the host. Costs tens of microseconds: make workers at start or reload,
// never per request. Errors as pdpl_host_open. Thread-safe.
int pdpl_worker_open(pdpl_host *h, pdpl_worker **out, char *err,
    size_t errlen);

// pdpl_worker_close frees the worker; its counters are kept by the host.
// close(NULL) is a no-op. Not while a decision uses its provider.
void pdpl_worker_close(pdpl_worker *w);

// pdpl_worker_provider returns the worker's provider, valid until the
// worker is closed. Use it from one thread at a time. A reason it gives a
// decision ("plugin NAME: ...") lives in the worker and stays valid until
// the next decision that uses the same provider.
const pdp_provider *pdpl_worker_provider(pdpl_worker *w);

// --- Statistics ------------------------------------------------------------

#define PDPL_STATS_RULES 16 // rules whose denials are counted by name
#define PDPL_RULE_MAX 48    // bytes of a rule name, NUL included

typedef struct pdpl_rule_count {
	char rule[PDPL_RULE_MAX]; // text before the first ':' of the reason
	uint64_t denials;
} pdpl_rule_count;

typedef struct pdpl_stats {
	uint64_t calls;    // Lua calls: keys and checks
	uint64_t errors;   // calls that raised an error (not the limits)
	uint64_t timeouts; // calls stopped by the instruction budget
	uint64_t memory;   // calls stopped by the memory cap
	uint64_t denials;  // requests a check refused
	uint64_t other_rules; // denials of rules past PDPL_STATS_RULES
	uint32_t nrules;
	pdpl_rule_count rules[PDPL_STATS_RULES]; // denials by rule
} pdpl_stats;

// pdpl_host_stats sums the counters of every worker `h` has made, the
// closed ones included. Counters are written with relaxed atomics by
// each worker's own thread; the sum is a snapshot, not a transaction.
// Thread-safe.
void pdpl_host_stats(pdpl_host *h, pdpl_stats *out);

#ifdef __cplusplus
}
#endif

#endif // PDPL_H
