// scan.h - state shared by the pieces of one decision (eval.c, cond.c,
// match.c). Lives on the stack of pdpi_decide: nothing is allocated.

#ifndef PDP_SCAN_H
#define PDP_SCAN_H

#include "decide.h"
#include "view.h"

// Room for one expanded policy variable template. Policy documents are at
// most a few KiB, but context values are the caller's: a template that
// expands past this decides Deny (fail closed), it is never truncated.
#define PDPI_SCRATCH 4096

// Custom keys a provider computed for this request (each asked once).
#define PDPI_CUSTOM_KEYS 16

typedef struct pdpi_custom {
	pdpi_ckey k;     // k.nvals == 0 and absent: the provider had none
	bool absent;
	pdpi_str vals[PDP_PROVIDER_VALUES];
} pdpi_custom;

// Conditions whose answers a decision keeps (pdpi_cond.memo).
#define PDPI_MEMO_MAX 1024

// Table lookups kept for the second pass over a set.
#define PDPI_LOOKUPS 4

typedef struct pdpi_scan {
	const pdpi_req *r;
	const pdpi_world *w;
	pdpi_explain *ex;  // NULL: no explanation wanted
	const char **reason; // NULL: no reason wanted
	pdpi_hooks *hooks; // NULL: no provider
	uint32_t ncustom;
	pdpi_custom custom[PDPI_CUSTOM_KEYS];
	uint32_t nlookups;
	pdpi_lookup lookups[PDPI_LOOKUPS];
	// The answer of each condition id judged so far: 0 not yet, 1
	// true, 2 false (cleared on first use).
	bool memo_ready;
	uint8_t memo[PDPI_MEMO_MAX];
	// The last request value parsed as an address: every IpAddress test
	// of aws:SourceIp in a request reads the same string.
	const char *ip_p;
	uint32_t ip_n;
	bool ip_ok;
	pdpi_cidr ip;
	bool overflow;     // a template did not fit: the decision denies
	char buf[PDPI_SCRATCH];
	uint8_t lit[PDPI_SCRATCH];
} pdpi_scan;

enum pdpi_expand {
	PDPI_EXPAND_OK = 0,
	PDPI_EXPAND_MISSING = 1,  // a variable has no value and no default
	PDPI_EXPAND_OVERFLOW = 2, // does not fit in the scratch buffer
};

// pdpi_tmpl_expand substitutes the variables of t. On PDPI_EXPAND_OK,
// *out is the text and *lit (NULL when nothing was substituted) marks the
// characters that came from variables and must match literally.
int pdpi_tmpl_expand(pdpi_scan *s, const pdpi_tmpl *t, pdpi_str *out,
    const uint8_t **lit);

// pdpi_scan_key finds the context entry that condition `c` tests: the
// request's, or one a provider computes (once per request) for a custom
// key. NULL when absent.
const pdpi_ckey *pdpi_scan_key(pdpi_scan *s, const pdpi_cond *c);

// pdpi_cond_eval evaluates one condition entry (operator + key + values).
bool pdpi_cond_eval(pdpi_scan *s, const pdpi_cond *c);

// pdpi_explain_missing records that a condition key was absent.
void pdpi_explain_missing(pdpi_scan *s, pdpi_str keytext);

#endif // PDP_SCAN_H
