// table.h - hashed decision tables: for one set of policies, which
// statements can apply to a given action.
//
// A table indexes the statements of a policy set (a principal's identity
// policies, or its permissions boundary) by the xxh3 hash of the folded
// action "svc:name". The evaluator asks a table for the candidate
// statements of the request's action and judges only those, so decision
// time does not grow with the number of statements that cannot apply.
//
// A table is one contiguous, position-independent block of 32-bit words
// (offsets are relative to the block), so the same bytes serve in memory
// (iamc eval) and inside a mapped bundle. Layout (all uint32_t, native
// endian; see proto/bundle.md, R-TABLE-*):
//
//   [0] magic PDPI_TABLE_MAGIC   [1] total size in bytes
//   [2] nslots (power of two)    [3] slots offset
//   [4] nsvc (power of two)      [5] service slots offset
//   [6] global list offset       [7] global list length
//   [8] [9] reserved: a list (offset, length), empty
//   [10] strings offset          [11] strings size
//   slot:  hash lo, hash hi, key offset, key length, list offset, length
//          (an empty slot has key length 0); the key is the folded
//          "svc:name" (exact slots) or "svc" (service slots), in strings
//   list:  pairs of words: policy index in the set, statement index;
//          the statement index's top bit (PDPI_CAND_KNOWN) says the
//          statement's actions are known to match the looked-up action
//          (it names it, one of its patterns matches it, or it has "*"),
//          so the evaluator need not match them again
//
// Every exact action named by an Action element gets a slot whose list
// holds every statement that can match that action: the ones naming it,
// the wildcard patterns of its service that match it, "*" and NotAction
// statements. Every service with wildcard patterns gets a service slot
// holding those patterns plus the global list. Anything else can only be
// matched by the global list. Lists are in (policy, statement) order.
// The evaluator still checks each candidate's actions, so a table can
// only narrow the search, never change a decision; full keys are compared,
// so a hash collision cannot even narrow it wrongly.

#ifndef PDP_TABLE_H
#define PDP_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "program.h"

#define PDPI_TABLE_MAGIC 0x4c425450u // "PTBL"
#define PDPI_TABLE_HEADER_WORDS 12
#define PDPI_TABLE_SLOT_WORDS 6
#define PDPI_CAND_KNOWN 0x80000000u // see "list" above

typedef struct pdpi_table {
	const uint32_t *w; // the block
	uint32_t size;     // bytes
} pdpi_table;

// A candidate list: pairs of (policy index in the set, statement index).
typedef struct pdpi_cands {
	const uint32_t *v; // 2 * n words
	uint32_t n;
} pdpi_cands;

// pdpi_table_check verifies that `size` bytes at `w` (4-byte aligned) form
// a well-formed table whose candidates stay within `npolicies` policies of
// the given statement counts (nstmts[i] for policy i). Returns false on any
// inconsistency; a table that passed can be used without further checks.
bool pdpi_table_check(const uint32_t *w, size_t size, uint32_t npolicies,
    const uint32_t *nstmts);

// pdpi_table_lookup returns the candidate statements for a request
// action: `action` is the whole folded "svc:name" and `svc` its service
// prefix, `ah` and `sh` their pdpi_hash. Never fails; allocates nothing.
pdpi_cands pdpi_table_lookup(const pdpi_table *t, pdpi_str action,
    uint64_t ah, pdpi_str svc, uint64_t sh);

// pdpi_hash hashes a folded key (xxh3-64): "svc:name" or "svc".
uint64_t pdpi_hash(const char *s, size_t n);

#endif // PDP_TABLE_H
