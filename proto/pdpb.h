// pdpb.h - the bundle file format (.pdpb): the byte layout shared by the
// writer (compiler/src/bundle_write.c) and the loader (pdp/src/bundle.c).
//
// proto/bundle.md is the specification; the R-BUNDLE-nnn rule ids there
// mark the lines that enforce each rule. Every integer is native-endian
// (the header's endian probe rejects a foreign one) and every record is a
// fixed-size struct of 32- and 64-bit fields with explicit padding, so
// the layout is the same under every C compiler for the platform.

#ifndef PDPB_H
#define PDPB_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PDPB_MAGIC "PDPBNDL"   // 7 characters and a NUL: 8 bytes
#define PDPB_VERSION 3u
#define PDPB_ENDIAN_PROBE 0x01020304u
#define PDPB_NONE 0xffffffffu   // "no set", "no table", ...

// The file header, at offset 0.
typedef struct pdpb_header {
	char magic[8];        // PDPB_MAGIC
	uint32_t version;     // PDPB_VERSION
	uint32_t endian;      // PDPB_ENDIAN_PROBE as written by the writer
	uint64_t size;        // the whole file, in bytes
	uint64_t checksum;    // xxh3-64 of the file with this field zeroed
	uint64_t revision;    // chosen by the compiler's caller
	uint64_t created;     // Unix seconds
	uint32_t nsections;   // entries in the section directory
	uint32_t directory;   // offset of the section directory
	uint32_t flags;       // 0
	uint32_t reserved;    // 0
} pdpb_header;

// Section ids.
enum pdpb_section_id {
	PDPB_SEC_STRINGS = 1,    // bytes; pdpb_str offsets point here
	PDPB_SEC_POLICIES = 2,   // pdpb_policy[]
	PDPB_SEC_STMTS = 3,      // pdpb_stmt[]
	PDPB_SEC_ACTIONS = 4,    // pdpb_action[]
	PDPB_SEC_RESOURCES = 5,  // pdpb_resource[]
	PDPB_SEC_PRINS = 6,      // pdpb_prin[] (Principal elements)
	PDPB_SEC_CONDS = 7,      // pdpb_cond[]
	PDPB_SEC_CVALUES = 8,    // pdpb_cvalue[]
	PDPB_SEC_PARTS = 9,      // pdpb_part[]
	PDPB_SEC_SETS = 10,      // pdpb_set[]
	PDPB_SEC_SETIDX = 11,    // uint32_t[] policy indices of sets
	PDPB_SEC_TABLES = 12,    // table blocks (pdp/src/table.h), 4-aligned
	PDPB_SEC_ACCOUNTS = 13,  // pdpb_account[]
	PDPB_SEC_LEVELS = 14,    // uint32_t[] set indices of SCP/RCP levels
	PDPB_SEC_PRINCIPALS = 15, // pdpb_principal[], a hash table
	PDPB_SEC_TAGS = 16,      // pdpb_tag[]
	PDPB_SEC_RPOLICIES = 17, // pdpb_rpolicy[], a hash table
	PDPB_SEC_NAMED = 18,     // pdpb_named[], a hash table
	PDPB_SEC_PRINFO = 19,    // pdpb_prinfo[], one per principal slot
	PDPB_SEC_ACCESS_KEYS = 20, // pdpb_access_key[], a hash table
	PDPB_SEC_MAX = 20,
};

typedef struct pdpb_section {
	uint32_t id;     // enum pdpb_section_id
	uint32_t offset; // from the start of the file, 8-aligned
	uint32_t size;   // bytes
	uint32_t count;  // records (size / record size)
} pdpb_section;

typedef struct pdpb_str {
	uint32_t off; // into PDPB_SEC_STRINGS
	uint32_t len;
} pdpb_str;

typedef struct pdpb_tmpl {
	pdpb_str text;
	uint32_t parts; // first index into PARTS
	uint32_t nparts;
} pdpb_tmpl;

typedef struct pdpb_part {
	uint32_t kind;        // enum pdpi_part_kind
	uint32_t has_default;
	pdpb_str s;
	pdpb_str dflt;
} pdpb_part;

typedef struct pdpb_action {
	uint32_t kind; // enum pdpi_action_kind
	uint32_t pad;
	pdpb_str svc, name, text;
} pdpb_action;

typedef struct pdpb_resource {
	uint32_t kind; // enum pdpi_res_kind
	uint32_t pad;
	pdpb_str seg[5];
	pdpb_tmpl rest;
	pdpb_str text;
} pdpb_resource;

typedef struct pdpb_prin {
	uint32_t kind; // enum pdpi_prin_kind
	uint32_t pad;
	pdpb_str account, name, session, text;
} pdpb_prin;

typedef struct pdpb_cvalue {
	pdpb_tmpl t;
	uint32_t ok;
	uint32_t pad;
	// Typed value, by the condition's operator: num (double bits),
	// date (sec, nsec), b, ip (family, bits, 16 address bytes) or bin.
	union {
		double num;
		struct {
			int64_t sec;
			int32_t nsec;
			int32_t pad;
		} date;
		uint32_t b;
		struct {
			uint8_t family, bits, pad[6];
			uint8_t addr[16];
		} ip;
		pdpb_str bin;
	} v;
} pdpb_cvalue;

enum pdpb_cond_flags {
	PDPB_COND_CUSTOM = 1, // a plugin computes the key
};

typedef struct pdpb_cond {
	uint8_t op, set, negated, if_exists;
	uint32_t flags; // enum pdpb_cond_flags
	pdpb_str opname, key, keytext;
	uint32_t values; // first index into CVALUES
	uint32_t nvalues;
} pdpb_cond;

enum pdpb_stmt_flags {
	PDPB_NOT_ACTION = 1,
	PDPB_NOT_RESOURCE = 2,
	PDPB_HAS_RESOURCE = 4,
	PDPB_HAS_PRINCIPAL = 8,
	PDPB_NOT_PRINCIPAL = 16,
};

typedef struct pdpb_stmt {
	uint32_t effect; // enum pdpi_effect
	uint32_t flags;  // enum pdpb_stmt_flags
	uint32_t index;
	uint32_t pad;
	pdpb_str sid;
	uint32_t actions, nactions;       // into ACTIONS
	uint32_t resources, nresources;   // into RESOURCES
	uint32_t principals, nprincipals; // into PRINS
	uint32_t conds, nconds;           // into CONDS
} pdpb_stmt;

typedef struct pdpb_policy {
	pdpb_str name;
	uint32_t type;   // pdp_policy_type
	uint32_t vars;
	uint32_t stmts;  // first index into STMTS
	uint32_t nstmts;
} pdpb_policy;

// A policy set (identity policies of a principal, a boundary, one SCP or
// RCP level) and its decision table.
typedef struct pdpb_set {
	uint32_t first;      // into SETIDX
	uint32_t n;
	uint32_t table;      // offset into TABLES, or PDPB_NONE
	uint32_t table_size; // bytes
} pdpb_set;

typedef struct pdpb_account {
	pdpb_str id;          // 12 digits
	uint32_t scp, nscp;   // levels: first index into LEVELS, count
	uint32_t rcp, nrcp;
} pdpb_account;

enum pdpb_principal_kind {
	PDPB_ROOT = 1,
	PDPB_USER = 2,
	PDPB_ROLE = 3,
	PDPB_FEDUSER = 4,
};

enum pdpb_principal_flags {
	PDPB_HAS_BOUNDARY = 1,
	PDPB_SERVICE_LINKED = 2,
	PDPB_CANONICAL = 4, // a user whose ARN is exactly
	                    // "arn:aws:iam::" ACCOUNT ":user/" NAME
};

#define PDPB_NAME_INLINE 32 // name bytes a principal slot holds

// Resource policies, named policies and access keys each live in an
// open-addressing hash table whose records begin with the same two
// fields, a 64-bit xxh3 of the key and the key (readers rely on it).

// A principal, in an open-addressing hash table of a power-of-two size
// keyed by pdpb_principal_hash of its kind, its account's id and its
// name; an empty slot is all zeros (kind 0). The record holds what every
// decision reads in one 64-byte line, its name included (up to
// PDPB_NAME_INLINE bytes), so that finding a principal reads no string;
// the rest is in PRINFO, at the same index.
typedef struct pdpb_principal {
	uint64_t hash;      // pdpb_principal_hash(kind, account id, name)
	pdpb_str arn;       // the canonical ARN, with path
	uint8_t kind;       // enum pdpb_principal_kind; 0: an empty slot
	uint8_t flags;      // enum pdpb_principal_flags
	uint16_t name_len;  // the name: the last name_len bytes of arn
	uint32_t account;   // index into ACCOUNTS
	uint32_t identity;  // set index, or PDPB_NONE
	uint32_t boundary;  // set index, or PDPB_NONE
	char name[PDPB_NAME_INLINE]; // its first bytes, zero-padded
} pdpb_principal;

// What decisions seldom need of a principal, at its slot's index.
typedef struct pdpb_prinfo {
	pdpb_str unique_id;   // AIDA..., AROA... ("" unknown)
	uint32_t tags, ntags; // into TAGS
	uint32_t max_session; // seconds (roles)
	uint32_t pad;
} pdpb_prinfo;

// pdpb_fold_mix mixes n bytes into h, eight at a time (the last eight
// read again when n is not a multiple; shorter text as two overlapping
// words, or three bytes), each byte with its 0x20 bit set (the length
// is mixed in by the caller): text equal ignoring case (ASCII, or the
// Latin-1 letters of IAM names as UTF-8) mixes alike.
static inline uint64_t
pdpb_fold_mix(uint64_t h, const char *p, size_t n)
{
	uint64_t w = 0;
	size_t i = 0;

	if (n < 8) {
		// Two overlapping words of four, or three bytes.
		if (n >= 4) {
			uint32_t lo, hi;
			memcpy(&lo, p, 4);
			memcpy(&hi, p + n - 4, 4);
			w = lo | (uint64_t) hi << 32;
		} else if (n > 0) {
			w = (uint64_t) (unsigned char) p[0] |
			    (uint64_t) (unsigned char) p[n / 2] << 8 |
			    (uint64_t) (unsigned char) p[n - 1] << 16;
		}
		h = (h ^ (w | 0x2020202020202020ull)) * 0x9fb21c651e98df25ull;
		return h ^ (h >> 29);
	}
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ (w | 0x2020202020202020ull)) * 0x9fb21c651e98df25ull;
		h ^= h >> 29;
	}
	if (i < n) {
		memcpy(&w, p + n - 8, 8);
		h = (h ^ (w | 0x2020202020202020ull)) * 0x9fb21c651e98df25ull;
		h ^= h >> 29;
	}
	return h;
}

// pdpb_fmix64 spreads every bit of h over the whole word (MurmurHash3's
// finalizer): slots are taken from the low bits.
static inline uint64_t
pdpb_fmix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

// pdpb_principal_hash is the key of a principal slot: its kind, its
// account id and its name (none for root). User and role names are
// unique ignoring case and hash alike in any case; a federated user's
// name is compared exactly after the hash.
static inline uint64_t
pdpb_principal_hash(uint32_t kind, const char *account, size_t an,
    const char *name, size_t nn)
{
	uint64_t h = ((uint64_t) kind << 48 | (uint64_t) an << 32 | nn) *
	    0x9e3779b97f4a7c15ull;
	h = pdpb_fold_mix(h, account, an);
	h = pdpb_fold_mix(h, name, nn);
	return pdpb_fmix64(h);
}

typedef struct pdpb_tag {
	pdpb_str key, value;
} pdpb_tag;

// A resource-based policy, in a hash table keyed by xxh3 of the resource
// ARN (a role's trust policy is keyed by the role ARN without its path).
typedef struct pdpb_rpolicy {
	uint64_t hash;
	pdpb_str arn;
	uint32_t policy; // index into POLICIES
	uint32_t pad;
} pdpb_rpolicy;

// A policy that requests may name (session policies by ARN or name), in
// a hash table keyed by xxh3 of the name.
typedef struct pdpb_named {
	uint64_t hash;
	pdpb_str name;
	uint32_t set; // index into SETS
	uint32_t pad;
} pdpb_named;

enum pdpb_key_status {
	PDPB_KEY_ACTIVE = 1,
	PDPB_KEY_INACTIVE = 2,
};

// A long-term access key (AKIA...) of a user or root user, in a hash
// table keyed by xxh3 of the key id. Never a secret: requests name their
// caller by key id once the PEP has checked the signature.
typedef struct pdpb_access_key {
	uint64_t hash;
	pdpb_str id;        // the access key id
	pdpb_str principal; // the owner's ARN (a user's with its path, or root)
	uint32_t status;    // enum pdpb_key_status
	uint32_t pad;
} pdpb_access_key;

#endif // PDPB_H
