// pdpli.h - internals shared by the plugin host's files: the host (what
// a plugin directory holds), a sandboxed state, and a worker's counters.

#ifndef PDPLI_H
#define PDPLI_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lua.h>

#include "pdpl.h"

// The IAM condition types a plugin key may have (manifest "keys").
typedef enum pdpli_type {
	PDPLI_STRING = 0,
	PDPLI_NUMERIC = 1,
	PDPLI_DATE = 2,
	PDPLI_BOOL = 3,
	PDPLI_IPADDRESS = 4,
	PDPLI_ARN = 5,
	PDPLI_BINARY = 6,
} pdpli_type;

// When a plugin's check runs (manifest "check").
typedef enum pdpli_when {
	PDPLI_CHECK_NONE = 0,
	PDPLI_CHECK_TAGGING = 1, // only requests carrying request tags
	PDPLI_CHECK_ALWAYS = 2,  // every request
} pdpli_when;

typedef struct pdpli_key {
	char *name;       // as the manifest spells it ("corp:BusinessHours")
	size_t len;
	pdpli_type type;
	uint32_t plugin;  // index into the host's plugins
} pdpli_key;

typedef struct pdpli_plugin {
	char *name;       // NAME of NAME.json and NAME.lua
	char *src;        // text of NAME.lua
	size_t srclen;
	pdpli_when check;
} pdpli_plugin;

// A .lua file of the directory, for `require` (plugins included).
typedef struct pdpli_module {
	char *name;
	char *src;
	size_t len;
} pdpli_module;

// Counters of one worker. Only the worker's thread writes them (a relaxed
// load and store, no read-modify-write); any thread reads them.
typedef struct pdpli_counts {
	_Atomic uint64_t calls, errors, timeouts, memory, denials, other;
	_Atomic uint32_t nrules; // published after the rule's name is written
	struct {
		char rule[PDPL_RULE_MAX];
		_Atomic uint64_t n;
	} rules[PDPL_STATS_RULES];
} pdpli_counts;

struct pdpl_host {
	_Atomic uint32_t refs;
	char *dir;
	pdpl_options opt;
	uint32_t nplugins, nkeys, nmods;
	pdpli_plugin *plugins;
	pdpli_key *keys;
	pdpli_module *mods;
	pthread_mutex_t mu;      // guards workers and retired
	pdpl_worker *workers;    // open workers, for pdpl_host_stats
	pdpl_stats retired;      // counts of closed workers
};

// --- manifest.c -------------------------------------------------------------

// pdpli_manifest_read parses manifest `path` of plugin `name` into p (its
// check) and appends its keys to h->keys (plugin index `index`). Errors
// go to err as "FILE: message"; returns PDP_OK, PDP_EIO, PDP_EINVAL or
// PDP_ENOMEM.
int pdpli_manifest_read(pdpl_host *h, const char *path, const char *name,
    uint32_t index, pdpli_plugin *p, char *err, size_t errlen);

// --- alloc.c ----------------------------------------------------------------

// Memory accounting of one lua_State.
typedef struct pdpli_mem {
	size_t used;
	size_t cap;
	bool hit;    // an allocation was refused for the cap since cleared
} pdpli_mem;

// pdpli_alloc is the lua_Alloc of every sandboxed state; ud is a
// pdpli_mem. It refuses growth past the cap, so Lua raises a memory
// error that the call turns into a deny.
void *pdpli_alloc(void *ud, void *ptr, size_t osize, size_t nsize);

// --- sandbox.c --------------------------------------------------------------

// One sandboxed state with every plugin of a host loaded: registry
// references to each key's function and each plugin's check, and the
// request object passed to them.
typedef struct pdpli_state {
	lua_State *L;
	const pdpl_host *h;
	pdpli_mem mem;
	uint32_t budget;
	bool over;        // the instruction budget ran out in this call
	int *keyref;      // per host key: its function
	int *checkref;    // per plugin: its check, or LUA_NOREF
	int reqref;       // the request object
	struct pdpli_req *req; // its body
} pdpli_state;

// pdpli_state_open makes st: a new sandboxed state with every plugin of
// `h` run and checked against its manifest. On failure st holds nothing
// and err says why ("FILE:LINE: message"); returns PDP_OK, PDP_EPLUGIN or
// PDP_ENOMEM.
int pdpli_state_open(pdpli_state *st, const pdpl_host *h, char *err,
    size_t errlen);

// pdpli_state_close frees what st holds; a zeroed st is fine.
void pdpli_state_close(pdpli_state *st);

// pdpli_state_arm gives the next call its instruction budget.
void pdpli_state_arm(pdpli_state *st);

// pdpli_state_get returns the state of L (kept in its extra space).
pdpli_state *pdpli_state_get(lua_State *L);

// --- request.c --------------------------------------------------------------

// The request object plugins see: the view of the request being decided,
// set only for the length of one call.
typedef struct pdpli_req {
	const pdp_view *view;
	pdp_view *wview;     // writable view: only during a check
	struct pdpli_arena *arena;
} pdpli_req;

// Per-decision memory for strings handed to the engine: reset when a
// request starts (the check callback), so values live until the decision
// returns, as pdp_provider requires.
typedef struct pdpli_arena {
	char *p;
	size_t used;
	size_t cap;
} pdpli_arena;

#define PDPLI_ARENA (64 * 1024)

// pdpli_arena_copy copies n bytes (and a NUL) into the arena; NULL when
// it is full.
const char *pdpli_arena_copy(pdpli_arena *a, const char *s, size_t n);

// pdpli_arena_alloc returns n bytes aligned for any value; NULL when
// full.
void *pdpli_arena_alloc(pdpli_arena *a, size_t n);

// pdpli_req_push creates the request object on L's stack (body in *out).
// Raises a Lua error when out of memory: call it in protected mode.
void pdpli_req_push(lua_State *L, pdpli_req **out);

// pdpli_scalar turns the Lua value at `idx` into text for a key of type
// t: a copy in the arena, or a static string. Returns NULL and sets *why
// when the value does not fit the type or the arena is full. Allocates
// nothing in L.
const char *pdpli_scalar(lua_State *L, int idx, pdpli_type t,
    pdpli_arena *a, size_t *n, const char **why);

// --- stats.c ----------------------------------------------------------------

// pdpli_count adds one to a worker counter (single writer).
static inline void
pdpli_count(_Atomic uint64_t *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c,
	    memory_order_relaxed) + 1, memory_order_relaxed);
}

// pdpli_count_rule counts a denial by the rule `reason` names.
void pdpli_count_rule(pdpli_counts *c, const char *reason);

// pdpli_stats_add adds the counters c into s.
void pdpli_stats_add(pdpl_stats *s, const pdpli_counts *c);

// pdpli_stats_merge adds the snapshot `from` into s.
void pdpli_stats_merge(pdpl_stats *s, const pdpl_stats *from);

// pdpli_worker_counts returns a worker's counters (worker.c).
const pdpli_counts *pdpli_worker_counts(const pdpl_worker *w);

// pdpli_worker_next returns the next worker of its host's list.
pdpl_worker *pdpli_worker_next(const pdpl_worker *w);

#endif // PDPLI_H
