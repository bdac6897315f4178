// program.h - compiled policy programs: the form the evaluator runs.
//
// The compiler (compiler/) turns a JSON policy document into a
// pdpi_policy: actions pre-split and case-folded, resources pre-split by
// ARN segment, principals classified, condition operators resolved to an
// enum with their values pre-parsed (numbers, dates, CIDRs, booleans,
// base64), and policy variables pre-split into template parts. The
// evaluator (eval.c) never sees JSON and never parses a policy string.
//
// Every string is a pdpi_str: a pointer and a length. The compiler also
// NUL-terminates them, but the evaluator never relies on it.
// All memory belongs to whoever built the program (an arena in the
// compiler, the mapped bundle later); programs are immutable once built.

#ifndef PDP_PROGRAM_H
#define PDP_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pdp.h"

typedef struct pdpi_str {
	const char *p;
	uint32_t n;
} pdpi_str;

// pdpi_mem_eq compares n bytes eight at a time (the last eight read
// again): cheaper than a call to memcmp for the short strings of a
// decision. Reads nothing when n is 0, so either pointer may be NULL.
static inline bool
pdpi_mem_eq(const char *a, const char *b, size_t n)
{
	uint64_t x, y;

	if (n >= 8) {
		for (size_t i = 0; i + 8 < n; i += 8) {
			memcpy(&x, a + i, 8);
			memcpy(&y, b + i, 8);
			if (x != y)
				return false;
		}
		memcpy(&x, a + n - 8, 8);
		memcpy(&y, b + n - 8, 8);
		return x == y;
	}
	if (n >= 4) {
		uint32_t p, q, r, t;
		memcpy(&p, a, 4);
		memcpy(&q, b, 4);
		memcpy(&r, a + n - 4, 4);
		memcpy(&t, b + n - 4, 4);
		return p == q && r == t;
	}
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static inline bool
pdpi_str_eq(pdpi_str a, pdpi_str b)
{
	return a.n == b.n && pdpi_mem_eq(a.p, b.p, a.n);
}

// Template parts. A template is a string that may contain policy
// variables; only policies with Version 2012-10-17 produce parts.
enum pdpi_part_kind {
	PDPI_PART_LIT = 0, // text as written (wildcards stay active in globs)
	PDPI_PART_VAR = 1, // ${key} or ${key, 'default'}: context value
	PDPI_PART_ESC = 2, // ${*}, ${?}, ${$}: the literal character in s
};

// How the evaluator finds a context key. The loader (bundle.c) interns
// every key that conditions and policy variables name to a slot, so that
// a request's context is mapped to slots once and each test reads its
// key in O(1); the class says where else a key may come from when the
// request does not carry it.
enum pdpi_key_class {
	PDPI_KEY_PLAIN = 0,   // only the request's context
	PDPI_KEY_DERIVED = 1, // or a key AWS derives from the principal
	PDPI_KEY_PTAG = 2,    // or aws:PrincipalTag/<tag key> of the principal
};

#define PDPI_NO_SLOT 0xffffffffu // not interned: search the context

typedef struct pdpi_keyref {
	uint32_t slot; // interned key slot, or PDPI_NO_SLOT
	uint8_t cls;   // enum pdpi_key_class
} pdpi_keyref;

typedef struct pdpi_part {
	uint8_t kind;        // enum pdpi_part_kind
	bool has_default;    // VAR only: dflt is used when the key is absent
	pdpi_str s;          // LIT: text; VAR: key, case-folded; ESC: "*"...
	pdpi_str dflt;       // VAR only: default value
	pdpi_keyref ref;     // VAR only: set by the loader
} pdpi_part;

typedef struct pdpi_tmpl {
	pdpi_str text;          // the whole string as written (folded for
	                        // IgnoreCase operators)
	uint32_t nparts;        // 0: no variables, use text as is
	const pdpi_part *parts; // nparts parts, in order
} pdpi_tmpl;

// Actions. "svc:name" is stored folded to lower case.
enum pdpi_action_kind {
	PDPI_ACT_ALL = 0,   // "*": every action
	PDPI_ACT_EXACT = 1, // no wildcard in name: compare svc and name
	PDPI_ACT_GLOB = 2,  // name has * or ?: compare svc, glob name
	PDPI_ACT_NONE = 3,  // can never match (empty name, whitespace)
};

typedef struct pdpi_action {
	uint8_t kind; // enum pdpi_action_kind
	uint8_t shape; // GLOB: enum pdpi_shape of name (set by the loader)
	pdpi_str svc; // folded service prefix ("s3")
	pdpi_str name; // folded action name or pattern ("get*")
	pdpi_str text; // as written, for explanations
} pdpi_action;

// Resources. An ARN pattern split on its first five colons.
enum pdpi_res_kind {
	PDPI_RES_ALL = 0,  // "*": every resource, including "*"
	PDPI_RES_ARN = 1,  // seg[0..4] are globs, rest is a template glob
	PDPI_RES_NONE = 2, // can never match (short ARN in a resource policy)
};

typedef struct pdpi_resource {
	// 128 bytes, so that the loader's array (64-byte aligned) gives
	// each resource two whole cache lines: the segments a decision
	// compares first share the first with the kind.
	uint8_t kind;      // enum pdpi_res_kind
	uint8_t literal;   // bit i: seg[i] holds no wildcard (set by the
	                   // loader: compared, not globbed)
	uint8_t shape;     // enum pdpi_shape of rest, when it has no
	                   // variable (set by the loader)
	uint32_t text_len; // text: as written (pdpi_res_text)
	pdpi_str seg[5];   // "arn", partition, service, region, account
	pdpi_tmpl rest;    // the resource part: everything after colon five
	const char *text;
} pdpi_resource;

static inline pdpi_str
pdpi_res_text(const pdpi_resource *r)
{
	pdpi_str t = {r->text, r->text_len};
	return t;
}

static inline void
pdpi_res_set_text(pdpi_resource *r, pdpi_str t)
{
	r->text = t.p;
	r->text_len = t.n;
}

// Principals named by Principal / NotPrincipal.
enum pdpi_prin_kind {
	PDPI_PRIN_ALL = 0,       // "*" or {"AWS": "*"}
	PDPI_PRIN_ACCOUNT = 1,   // "111122223333" or arn:aws:iam::A:root
	PDPI_PRIN_USER = 2,      // arn:aws:iam::A:user/path/name
	PDPI_PRIN_ROLE = 3,      // arn:aws:iam::A:role/path/name
	PDPI_PRIN_SESSION = 4,   // arn:aws:sts::A:assumed-role/R/S
	PDPI_PRIN_FEDUSER = 5,   // arn:aws:sts::A:federated-user/N
	PDPI_PRIN_UNIQUE_ID = 6, // AIDA..., AROA...
	PDPI_PRIN_SERVICE = 7,   // {"Service": "x.amazonaws.com"}
	PDPI_PRIN_FEDERATED = 8, // {"Federated": "..."}
	PDPI_PRIN_CANONICAL = 9, // {"CanonicalUser": "..."}
	PDPI_PRIN_OTHER = 10,    // any other AWS ARN: exact comparison
};

typedef struct pdpi_principal {
	uint8_t kind;     // enum pdpi_prin_kind
	pdpi_str account; // ACCOUNT, USER, ROLE, SESSION, FEDUSER
	pdpi_str name;    // USER: name (no path); ROLE: name (no path);
	                  // SESSION: role name; FEDUSER: user name;
	                  // UNIQUE_ID/SERVICE/FEDERATED/CANONICAL: the value
	pdpi_str session; // SESSION: session name
	pdpi_str text;    // as written
} pdpi_principal;

#define PDPI_NO_MEMO 0xffffffffu // pdpi_cond.memo: none

// Condition operators. Negated forms (StringNotEquals, NotIpAddress,
// ArnNotLike, ...) are their positive base with `negated` set.
enum pdpi_cop {
	PDPI_COP_STR_EQ = 0,    // StringEquals / StringNotEquals
	PDPI_COP_STR_EQ_IC = 1, // StringEqualsIgnoreCase / ...NotEquals...
	PDPI_COP_STR_LIKE = 2,  // StringLike / StringNotLike
	PDPI_COP_NUM_EQ = 3,
	PDPI_COP_NUM_LT = 4,
	PDPI_COP_NUM_LE = 5,
	PDPI_COP_NUM_GT = 6,
	PDPI_COP_NUM_GE = 7,
	PDPI_COP_DATE_EQ = 8,
	PDPI_COP_DATE_LT = 9,
	PDPI_COP_DATE_LE = 10,
	PDPI_COP_DATE_GT = 11,
	PDPI_COP_DATE_GE = 12,
	PDPI_COP_BOOL = 13,
	PDPI_COP_BINARY = 14,
	PDPI_COP_IP = 15,       // IpAddress / NotIpAddress
	PDPI_COP_ARN_LIKE = 16, // ArnEquals, ArnLike / ArnNotEquals, ArnNotLike
	PDPI_COP_NULL = 17,
};

enum pdpi_set {
	PDPI_SET_NONE = 0,
	PDPI_SET_ANY = 1, // ForAnyValue:
	PDPI_SET_ALL = 2, // ForAllValues:
};

typedef struct pdpi_date {
	int64_t sec;  // seconds since the epoch, UTC
	int32_t nsec; // 0..999999999
} pdpi_date;

typedef struct pdpi_cidr {
	uint8_t family; // 4 or 6
	uint8_t bits;   // prefix length
	uint8_t addr[16]; // network address, host bits cleared
} pdpi_cidr;

typedef struct pdpi_cvalue {
	pdpi_tmpl t; // string form; parts only where variables are allowed
	bool ok;     // the typed form below parsed; false: never matches
	union {
		double num;      // NUM_*
		pdpi_date date;  // DATE_*
		bool b;          // BOOL, NULL ("true" / "false")
		pdpi_cidr ip;    // IP
		pdpi_str bin;    // BINARY: decoded bytes
	} v;
} pdpi_cvalue;

typedef struct pdpi_cond {
	// What a decision reads comes first, in one 32-byte half line; the
	// texts follow.
	uint8_t op;      // enum pdpi_cop
	uint8_t set;     // enum pdpi_set
	bool negated;
	bool if_exists;
	bool custom;     // a plugin computes the key (pdp_provider.key)
	pdpi_keyref ref;  // how to find key (set by the loader)
	uint32_t memo;    // the loader's id of conditions alike whose answer
	                  // a decision may keep, or PDPI_NO_MEMO
	uint32_t nvalues;
	const pdpi_cvalue *values;
	pdpi_str key;    // context key, case-folded to lower case
	pdpi_str opname; // as written ("ForAnyValue:StringLike")
	pdpi_str keytext; // context key as written
} pdpi_cond;

enum pdpi_effect {
	PDPI_ALLOW = 1,
	PDPI_DENY = 2,
};

typedef struct pdpi_stmt {
	// What a decision reads comes first, in 48 bytes (a statement is
	// 80): read from a table's candidate, it mostly takes one cache
	// line, not two.
	uint8_t effect;      // enum pdpi_effect
	bool not_action;     // NotAction: matches when no action matches
	bool not_resource;   // NotResource
	bool has_resource;   // false: no Resource element (resource and
	                     // trust policies): matches the attached resource
	bool has_principal;  // a Principal or NotPrincipal element exists
	bool not_principal;  // it is NotPrincipal
	bool conds_first;    // its conditions may be judged before its
	                     // resources (set by the loader: no plugin key,
	                     // no policy variable in either)
	uint32_t guard;      // the memo id of its first condition when all
	                     // are plain, or PDPI_NO_MEMO (set by the
	                     // loader): known false, the statement cannot
	                     // apply
	uint32_t nconds;
	uint32_t nresources;
	uint32_t nactions;
	const pdpi_resource *resources;
	const pdpi_cond *conds;
	const pdpi_action *actions;
	const pdpi_principal *principals;
	uint32_t nprincipals;
	uint32_t index;      // position in the Statement array
	pdpi_str sid;        // empty when absent
} pdpi_stmt;

typedef struct pdpi_policy {
	pdpi_str name;   // for explanations ("identity[0]", "ReadOnly")
	uint8_t type;    // pdp_policy_type
	bool vars;       // Version 2012-10-17: variables were recognized
	uint32_t nstmts;
	const pdpi_stmt *stmts;
} pdpi_policy;

// pdpi_names_principal: statements of these policy types apply only to
// the principals their Principal element names.
static inline bool
pdpi_names_principal(uint8_t type)
{
	return type == PDP_POLICY_RESOURCE || type == PDP_POLICY_TRUST ||
	    type == PDP_POLICY_RCP;
}

// pdpi_res_always: a Resource element that every request's resource
// matches: none (the policy's own resource) or one holding "*".
static inline bool
pdpi_res_always(const pdpi_stmt *st)
{
	if (!st->has_resource)
		return true;
	if (st->not_resource)
		return false;
	for (uint32_t i = 0; i < st->nresources; i++)
		if (st->resources[i].kind == PDPI_RES_ALL)
			return true;
	return false;
}

// pdpi_stmt_always: statement st of a policy of type `type` applies to
// every request its actions match (no principal to name, no condition,
// every resource), so a decision table may say so (table.h).
static inline bool
pdpi_stmt_always(uint8_t type, const pdpi_stmt *st)
{
	return !pdpi_names_principal(type) && st->nconds == 0 &&
	    pdpi_res_always(st);
}

#endif // PDP_PROGRAM_H
