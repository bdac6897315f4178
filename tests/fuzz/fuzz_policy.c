// fuzz_policy.c - libFuzzer target for the policy compiler's front door.
//
// Feeds the input bytes, as JSON text, to iamc_policy_compile_text once for
// every policy type (each with its own validation rules and quotas), each
// time in a fresh arena, and checks the result against the contract in
// compiler/include/iamc.h. ASan, UBSan and libFuzzer turn any memory error,
// undefined behaviour, leak or broken contract into a crash.

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iamc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

// check_or_die aborts, so libFuzzer saves the input, when `ok` is false.
static void
check_or_die(int ok)
{
	if (!ok) {
		abort();
	}
}

// touch_diags reads every byte of every diagnostic so ASan sees a string
// that was freed, not terminated, or never written.
static size_t
touch_diags(const iamc_diags *d)
{
	size_t total = 0;
	size_t nerrors = 0;

	check_or_die(d->n <= d->cap);
	for (size_t i = 0; i < d->n; i++) {
		const iamc_diag *g = &d->v[i];
		check_or_die(
		    g->severity == IAMC_ERROR || g->severity == IAMC_WARNING);
		if (g->severity == IAMC_ERROR) {
			nerrors++;
		}
		check_or_die(g->path != NULL && g->message != NULL);
		total += strlen(g->path) + strlen(g->message);
	}
	// A diagnostic lost to out of memory still counts as an error, so
	// nerrors can exceed the errors kept, never fall short of them.
	check_or_die(d->nerrors >= nerrors);
	return total;
}

// touch_policy walks the compiled program's statements so ASan checks
// that the arrays the compiler announced are really there.
static size_t
touch_policy(const pdpi_policy *p, pdp_policy_type type)
{
	size_t total = 0;

	check_or_die(p->type == (uint8_t) type);
	check_or_die(p->nstmts == 0 || p->stmts != NULL);
	for (uint32_t i = 0; i < p->nstmts; i++) {
		const pdpi_stmt *s = &p->stmts[i];
		check_or_die(
		    s->effect == PDPI_ALLOW || s->effect == PDPI_DENY);
		check_or_die(s->nactions == 0 || s->actions != NULL);
		check_or_die(s->nresources == 0 || s->resources != NULL);
		check_or_die(s->nprincipals == 0 || s->principals != NULL);
		check_or_die(s->nconds == 0 || s->conds != NULL);
		for (uint32_t j = 0; j < s->nconds; j++) {
			const pdpi_cond *c = &s->conds[j];
			check_or_die(c->nvalues == 0 || c->values != NULL);
			total += c->nvalues;
		}
		total += s->nactions + s->nresources + s->nprincipals;
	}
	return total;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	// Every value of pdp_policy_type, PDP_POLICY_IDENTITY (0) through
	// PDP_POLICY_AWS_MANAGED (7).
	for (int t = PDP_POLICY_IDENTITY; t <= PDP_POLICY_AWS_MANAGED; t++) {
		pdp_policy_type type = (pdp_policy_type) t;
		const pdpi_policy *out = NULL;
		iamc_diags d;
		iamc_arena *a;
		int rc;

		a = iamc_arena_open();
		if (a == NULL) {
			return 0;
		}
		iamc_diags_init(&d);
		// The input is not NUL-terminated: the compiler must honour
		// `size` and never read past it.
		rc = iamc_policy_compile_text(
		    a, (const char *) data, size, type, "fuzz", &out, &d);
		touch_diags(&d);
		switch (rc) {
		case PDP_OK:
			check_or_die(out != NULL);
			check_or_die(d.nerrors == 0);
			touch_policy(out, type);
			break;
		case PDP_EPOLICY:
			check_or_die(out == NULL);
			check_or_die(d.nerrors > 0);
			break;
		case PDP_ENOMEM:
			check_or_die(out == NULL);
			break;
		default:
			// The header promises only these three results.
			abort();
		}
		iamc_diags_fini(&d);
		iamc_arena_close(a);
	}
	return 0;
}
