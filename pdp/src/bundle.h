// bundle.h - a loaded bundle: the file mapped read-only, its policies
// rebuilt as programs (program.h) whose strings point into the mapping,
// and its hash tables used in place.

#ifndef PDP_BUNDLE_H
#define PDP_BUNDLE_H

#include <stdatomic.h>

#include "decide.h"
#include "pdp.h"
#include "pdpb.h"

// From this size on (file and programs) a bundle is taken to be larger
// than the cache, and pdp_bundle_authorize_many reads a batch's requests
// ahead of deciding them; below it, reading ahead only costs
// (bench/README.md, "Batches"). PDP_READ_AHEAD=always|never in the
// environment of the process that opens the bundle overrides it.
#define PDPI_AHEAD_BYTES (4u << 20)

struct pdp_bundle {
	atomic_uint refs;
	void *base;          // the file's bytes
	size_t size;
	int owner;           // how base was obtained (enum pdpi_owner)
	uint64_t revision;
	const char *strings; // PDPB_SEC_STRINGS
	uint32_t nstrings;   // bytes

	// Programs, rebuilt at load (one block: `mem`).
	void *mem;
	size_t mem_size;
	bool mem_mapped;     // mem is a huge-page block (bundle.c)
	pdpi_policy *policies;
	uint32_t npolicies;
	pdpi_pset *sets;     // each with its table, when it has one
	uint32_t nsets;
	pdpi_pset *levels;   // LEVELS resolved to sets, for SCP/RCP chains
	pdpi_keytab keys;    // context keys interned to slots
	uint32_t nmemo;      // condition memo ids (pdpi_cond.memo)
	bool ahead;          // batches read ahead (authorize.c): the file
	                     // and the programs take PDPI_AHEAD_BYTES or more

	const pdpb_account *accounts; // sorted by id
	uint32_t naccounts;
	const pdpb_principal *principals; // hash table
	const pdpb_prinfo *prinfo;        // beside it
	uint32_t nprincipal_slots;
	uint32_t nprincipals;
	const pdpb_tag *tags;
	uint32_t ntags;
	const pdpb_rpolicy *rpolicies;    // hash table
	uint32_t nrpolicy_slots;
	uint32_t nrpolicies;
	const pdpb_named *named;          // hash table
	uint32_t nnamed_slots;
	const pdpb_access_key *access_keys; // hash table
	uint32_t naccess_key_slots;
};

// pdpi_bundle_str returns a bundle string (checked at load).
static inline pdpi_str
pdpi_bundle_str(const pdp_bundle *b, pdpb_str s)
{
	pdpi_str r = {b->strings + s.off, s.len};
	return r;
}

// How a bundle's bytes were obtained, so that close gives them back.
enum pdpi_owner {
	PDPI_OWN_MALLOC = 0, // malloc: free
	PDPI_OWN_FILE = 1,   // mmap of the file: munmap
	PDPI_OWN_BLOCK = 2,  // a large anonymous block (bundle.c)
};

// pdpi_bundle_load verifies and indexes `size` bytes at `base`, which the
// bundle then owns (given back by close, or on failure, as `owner` says).
// When `verify_checksum` is false the checksum is not checked (fuzzing
// the structure checks).
int pdpi_bundle_load(void *base, size_t size, int owner,
    bool verify_checksum, pdp_bundle **out, char *err, size_t errlen);

#endif // PDP_BUNDLE_H
