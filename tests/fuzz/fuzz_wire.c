// fuzz_wire.c - libFuzzer target for the wire decoder (proto/wire.c):
// every input is decoded as a request and as a reply, with small limits
// so that size, depth and batch bounds are reached, and each decoded
// request (authorizations and IAM calls) is re-encoded and decoded
// again. ASan, UBSan and libFuzzer turn
// any memory error, undefined behaviour, leak or broken contract (an
// error reply read as an Allow) into a crash.

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_or_die(int ok)
{
	if (!ok)
		abort();
}

// touch reads every byte of a decoded string, so ASan sees one that is
// not terminated or lives outside the zone.
static size_t
touch(const char *s)
{
	return s != NULL ? strlen(s) : 0;
}

static void
check_request(const pdpw_request *q)
{
	size_t n = 0;

	for (uint32_t i = 0; i < q->nitems; i++) {
		const pdpw_authz *a = &q->items[i];
		if (a->status != PDPW_OK) {
			check_or_die(a->error != NULL);
			continue;
		}
		check_or_die(a->principal != NULL && a->action != NULL);
		n += touch(a->principal) + touch(a->action) +
		    touch(a->resource) + touch(a->resource_account) +
		    touch(a->session_policy);
		for (uint32_t j = 0; j < a->ncontext; j++) {
			n += touch(a->context[j].key);
			for (uint32_t k = 0; k < a->context[j].nvalues; k++)
				n += touch(a->context[j].values[k]);
		}
	}
	if (q->iam != NULL) {
		const pdpw_iam *m = q->iam;
		check_or_die(m->service != NULL && m->action != NULL &&
		    m->params != NULL && strlen(m->params) == m->params_len);
		n += touch(m->access_key_id) + touch(m->session_token) +
		    touch(m->signature);
	}
	(void) n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static pdpw_decoder dec, dec2;
	static pdpw_encoder enc;
	static int ready;
	pdpw_limits lim;
	pdpw_request q;
	pdpw_reply r;
	const char *why = NULL;

	if (!ready) {
		pdpw_limits_default(&lim);
		lim.max_msg = 1 << 16;
		lim.max_batch = 16;
		lim.max_context = 8;
		lim.max_values = 8;
		lim.max_str = 512;
		check_or_die(pdpw_decoder_init(&dec, &lim, 4096) == PDPW_OK);
		check_or_die(pdpw_decoder_init(&dec2, &lim, 4096) == PDPW_OK);
		pdpw_encoder_init(&enc);
		ready = 1;
	}
	int rv = pdpw_decode_request(&dec, data, size, &q, &why);
	if (rv != PDPW_OK) {
		check_or_die(why != NULL && rv > 0 && rv < PDPW_STATUS_MAX);
	} else {
		check_request(&q);
		// What decoded encodes, and decodes again to the same.
		if (q.op == PDPW_OP_BATCH) {
			int ok = 1;
			for (uint32_t i = 0; i < q.nitems; i++)
				ok &= q.items[i].status == PDPW_OK;
			if (ok) {
				check_or_die(pdpw_encode_batch_req(&enc, q.id,
				    q.items, q.nitems) == PDPW_OK);
				pdpw_request q2;
				check_or_die(pdpw_decode_request(&dec2, enc.p,
				    enc.n, &q2, &why) == PDPW_OK ||
				    enc.n > (1 << 16));
			}
		} else if (q.op == PDPW_OP_IAM) {
			// An IAM call re-encodes to the same fields, byte for
			// byte where the signature covers them.
			check_or_die(pdpw_encode_iam_req(&enc, q.id, q.iam) ==
			    PDPW_OK);
			pdpw_request q2;
			if (pdpw_decode_request(&dec2, enc.p, enc.n, &q2,
			    &why) == PDPW_OK) {
				check_or_die(q2.iam->params_len ==
				    q.iam->params_len && memcmp(q2.iam->params,
				    q.iam->params, q.iam->params_len) == 0);
				check_or_die(strcmp(q2.iam->action,
				    q.iam->action) == 0 &&
				    q2.iam->timestamp == q.iam->timestamp);
			}
		} else if (q.nitems == 1) {
			check_or_die(pdpw_encode_authz_req(&enc, q.id, q.op,
			    &q.items[0]) == PDPW_OK);
			pdpw_request q2;
			if (pdpw_decode_request(&dec2, enc.p, enc.n, &q2,
			    &why) == PDPW_OK) {
				check_or_die(strcmp(q2.items[0].principal,
				    q.items[0].principal) == 0);
				check_or_die(q2.id == q.id);
			}
		}
	}
	if (pdpw_decode_reply(&dec, data, size, &r, &why) == PDPW_OK) {
		// R-WIRE-021: a reply that could not decide is no Allow.
		check_or_die(r.status == PDPW_OK ||
		    r.result.decision != PDPW_ALLOW);
		for (uint32_t i = 0; i < r.nresults; i++)
			check_or_die(r.results[i].status == PDPW_OK ||
			    r.results[i].decision != PDPW_ALLOW);
		touch(r.error);
		touch(r.iam.aws_code);
		touch(r.iam.aws_message);
		check_or_die(r.iam.result == NULL ||
		    strlen(r.iam.result) == r.iam.result_len);
		for (uint32_t i = 0; i < r.explain.nmissing; i++)
			touch(r.explain.missing[i]);
	}
	return 0;
}
