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
// endian; see proto/bundle.md):
//
//   [0] magic PDPI_TABLE_MAGIC   [1] total size in bytes
//   [2] nslots (power of two)    [3] exact slots offset
//   [4] nsvc (power of two)      [5] service slots offset
//   [6] global Deny list offset  [7] its length
//   [8] global Allow list offset [9] its length
//   slot:  the high 32 bits of the key's hash, and the offset of its
//          entry (0: an empty slot); eight slots share a cache line
//   entry: key length, Deny list length, Allow list length, the key
//          (the folded "svc:name" of exact slots, "svc" of service
//          slots) padded to a word, then the Deny list and the Allow
//          list, so that a lookup reads the slot's line and then one
//          place that holds the key and both lists
//   exact and global lists: pairs of words, the policy's index in the
//          set and the statement's index with its flags
//   service lists: triples, the same pair and the index of an action of
//          the statement that is a pattern of the service
//          (PDPI_CAND_NOACT: no pattern to match; judged as in a pair)
//
// Every list holds statements of one effect, so a pass for explicit
// denies and a pass for allows each read only their own, in (policy,
// statement) order. Flags of the statement index:
//   PDPI_CAND_KNOWN: the statement's actions are known to match the
//          looked-up action (it names it, one of its patterns matches it,
//          or it has "*"), so the evaluator need not match them again;
//   PDPI_CAND_ALWAYS: the statement applies whenever its actions match:
//          no condition, a Resource of "*" (or none), in a policy that
//          names no principal (pdpi_stmt_always); the evaluator then
//          need not read it at all;
//   PDPI_CAND_NOT: (service lists) the pattern belongs to a NotAction
//          statement, whose entries follow each other: the statement's
//          actions match when none of its patterns matches.
//
// Every exact action an Action or NotAction element names gets a slot
// whose lists hold every statement that can match that action, all
// known to: the ones naming it, the patterns of its service that match
// it, "*", and the NotAction statements that neither name it nor have a
// pattern matching it. Every service with patterns gets a slot: one
// entry per pattern of the service, "*", and every NotAction statement
// (by its patterns of the service, or known to match when it has none).
// Any other action is named by no statement and matched by no pattern:
// the global lists hold "*" and every NotAction statement, all known to
// match. A NotAction statement that lists "*" never matches and is in no
// list. A table can only narrow the search, never change a decision;
// full keys are compared, so a hash collision cannot even narrow it
// wrongly.

#ifndef PDP_TABLE_H
#define PDP_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdpb.h"
#include "program.h"

#define PDPI_TABLE_MAGIC 0x33425450u // "PTB3"
#define PDPI_TABLE_HEADER_WORDS 10
#define PDPI_TABLE_SLOT_WORDS 2
#define PDPI_TABLE_ENTRY_WORDS 3 // an entry's words before its key
#define PDPI_CAND_KNOWN 0x80000000u  // see the flags above
#define PDPI_CAND_ALWAYS 0x40000000u
#define PDPI_CAND_NOT 0x20000000u
#define PDPI_CAND_INDEX 0x1fffffffu  // the statement index under the flags
#define PDPI_CAND_NOACT 0xffffffffu  // a service list's global candidate

typedef struct pdpi_table {
	const uint32_t *w; // the block
	uint32_t size;     // bytes
} pdpi_table;

// A candidate list: pairs (width 2) or service triples (width 3).
typedef struct pdpi_cands {
	const uint32_t *v; // width * n words
	uint32_t n;
	uint32_t width;
} pdpi_cands;

// A lookup made: the table and its candidates.
typedef struct pdpi_lookup {
	const pdpi_table *t;
	pdpi_cands c[2]; // Deny, Allow
} pdpi_lookup;

// What a table check needs to know of the set's policies: how many
// statements each has and where they are in the bundle's statements,
// and which statements may be marked PDPI_CAND_ALWAYS.
typedef struct pdpi_table_env {
	uint32_t npolicies;
	const uint32_t *nstmts;  // per policy of the set
	const uint32_t *first;   // per policy: its first statement in stmts
	const uint8_t *type;     // per policy: its pdp_policy_type
	const pdpb_stmt *stmts;  // the bundle's statements
	const uint8_t *bits;     // per statement: PDPI_STMT_ bits
} pdpi_table_env;

enum {
	PDPI_STMT_DENY = 1,      // its effect is Deny
	PDPI_STMT_ALWAYS = 2,    // no condition, every resource: it may be
	                         // marked PDPI_CAND_ALWAYS in a policy that
	                         // names no principal (pdpi_stmt_always)
	PDPI_STMT_NOTACTION = 4, // a NotAction statement
};

// pdpi_table_check verifies that `size` bytes at `w` (4-byte aligned) form
// a well-formed table whose candidates name statements and actions that
// exist (`env`), in the list of their effect, with flags that hold.
// Returns false on any
// inconsistency; a table that passed can be used without further checks.
bool pdpi_table_check(const uint32_t *w, size_t size,
    const pdpi_table_env *env);

// pdpi_table_lookup finds the candidate statements for a request action:
// `action` is the whole folded "svc:name", `ah` its pdpi_hash, and `svc`
// its service prefix. out[0] gets the Deny candidates, out[1] the Allow
// ones. Never fails; allocates nothing.
void pdpi_table_lookup(const pdpi_table *t, pdpi_str action, uint64_t ah,
    pdpi_str svc, pdpi_cands out[2]);

// pdpi_table_prefetch asks for the exact slot that a lookup of an action
// of hash `ah` reads first, so that it arrives while other work is done.
static inline void
pdpi_table_prefetch(const pdpi_table *t, uint64_t ah)
{
	const uint32_t *w = t->w;
	if (w[2] != 0)
		__builtin_prefetch((const char *) w + w[3] +
		    (size_t) ((uint32_t) ah & (w[2] - 1)) * 4 *
		    PDPI_TABLE_SLOT_WORDS);
}

// pdpi_table_prefetch_entry asks for the entry that a lookup of an action
// of hash `ah` most likely reads, found by the slots' hash halves alone
// (the slot's line should be at hand: pdpi_table_prefetch).
void pdpi_table_prefetch_entry(const pdpi_table *t, uint64_t ah);

// pdpi_hash hashes a folded key, "svc:name" or "svc" (a few
// multiplications a word: a decision hashes its action once).
static inline uint64_t
pdpi_hash(const char *s, size_t n)
{
	return pdpb_fmix64(pdpb_fold_mix((uint64_t) n * 0x9e3779b97f4a7c15ull,
	    s, n));
}

#endif // PDP_TABLE_H
