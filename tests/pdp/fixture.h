// fixture.h - a realistic bundle shared by the bundle, allocation and
// engine tests: two accounts (one an organization member with SCP and
// RCP levels), users with and without a permissions boundary, roles with
// tags, a root user, resource, trust and key policies, and a named
// session policy; plus requests with their expected decisions.

#ifndef TESTS_PDP_FIXTURE_H
#define TESTS_PDP_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "pdp.h"

#define FX_MEMBER "111111111111"  // organization member: SCPs and RCPs
#define FX_OTHER "222222222222"   // no organization
#define FX_ALICE_KEY "AKIAFIXTUREALICE0001" // active
#define FX_BOB_KEY "AKIAFIXTUREBOB000001"   // inactive

#define FX_PAD 60000 // variant 2's extra bucket policies

// One request of the fixture and what the bundle must answer.
typedef struct fx_case {
	const char *name;
	pdp_request req;
	pdp_effect want;      // with variant 0
	pdp_effect want_alt;  // with variant 1
	int want_err;         // PDP_OK, or the refusal (then a deny)
} fx_case;

extern const fx_case fx_cases[];
extern const size_t fx_ncases;

// fx_bundle builds the fixture's bundle with the compiler's builder into
// a malloc'd buffer (*data, *len; the caller frees it). Variant 1 adds
// one identity policy to alice that denies s3:GetObject, so the cases'
// want_alt differ from want. Variant 2 decides as variant 0, with FX_PAD
// more bucket policies that no case names: a bundle large enough for
// batches to read ahead (PDPI_AHEAD_BYTES). Returns PDP_OK, or the failing step's
// error with a message in err.
int fx_bundle(int variant, uint64_t revision, void **data, size_t *len,
    char *err, size_t errlen);

// fx_check_all decides every case against `b` (with and without an
// explanation, then in batches of several sizes through
// pdp_bundle_authorize_many, reading ahead and not) and returns the
// number of wrong answers, printing each.
size_t fx_check_all(const pdp_bundle *b, int variant);

#endif // TESTS_PDP_FIXTURE_H
