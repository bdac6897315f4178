// wire.c - `pdpbench wire`: what pdpd does for each decision of a batch,
// in process and on one thread, step by step: decode the request
// (pdpw_decode_request: the bounds check, msgpack_unpack into the reused
// zone, the walk that copies strings), decide each item
// (pdp_bundle_authorize against the bundle, as pdpd's workers do), encode
// the reply (pdpw_encode_batch), and what a client then does with it
// (pdpw_decode_reply). The request is `pdpbench load`'s, so the two
// commands' figures can be read together: what is left of pdpd's time
// per decision over nng is the transport's.

#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "micro.h"
#include "pdp.h"
#include "pdpbench.h"
#include "wire.h"

static void
wire_usage(FILE *f)
{
	fprintf(f,
	    "usage: pdpbench wire --bundle FILE [--batch B] [--count N]\n"
	    "                     [--principal ARN --action ACTION "
	    "--resource ARN]\n"
	    "  --bundle FILE   the bundle to decide with (bench/load.sh "
	    "compiles\n"
	    "                  examples/account/account.json)\n"
	    "  --batch B       decisions a message, 1 to 1000 "
	    "(default 100)\n"
	    "  --count N       messages timed (default 20000)\n"
	    "  the request defaults to `pdpbench load`'s\n");
}

int
pdpbench_wire(int argc, char **argv)
{
	const char *path = NULL, *principal = PDPBENCH_PRINCIPAL,
		   *action = PDPBENCH_ACTION, *resource = PDPBENCH_RESOURCE;
	uint32_t batch = 100, count = 20000;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--help") == 0) {
			wire_usage(stdout);
			return 0;
		}
		if (v == NULL) {
			wire_usage(stderr);
			return 2;
		}
		i++;
		if (strcmp(a, "--bundle") == 0)
			path = v;
		else if (strcmp(a, "--batch") == 0)
			batch = (uint32_t) strtoul(v, NULL, 10);
		else if (strcmp(a, "--count") == 0)
			count = (uint32_t) strtoul(v, NULL, 10);
		else if (strcmp(a, "--principal") == 0)
			principal = v;
		else if (strcmp(a, "--action") == 0)
			action = v;
		else if (strcmp(a, "--resource") == 0)
			resource = v;
		else {
			wire_usage(stderr);
			return 2;
		}
	}
	if (path == NULL || batch < 1 || batch > PDPW_DEFAULT_MAX_BATCH ||
	    count < 1) {
		wire_usage(stderr);
		return 2;
	}

	pdp_bundle *b;
	char err[256];
	if (pdp_bundle_open(path, &b, err, sizeof(err)) != PDP_OK) {
		fprintf(stderr, "pdpbench wire: %s: %s\n", path, err);
		return 1;
	}
	pdpw_authz *v = calloc(batch, sizeof(*v));
	pdpw_result *res = calloc(batch, sizeof(*res));
	pdpw_encoder req, rep;
	pdpw_decoder sd, cd; // server side, client side
	if (v == NULL || res == NULL ||
	    pdpw_decoder_init(&sd, NULL, 0) != PDPW_OK ||
	    pdpw_decoder_init(&cd, NULL, 0) != PDPW_OK)
		bench_die("out of memory");
	for (uint32_t i = 0; i < batch; i++) {
		v[i].principal = principal;
		v[i].action = action;
		v[i].resource = resource;
	}
	pdpw_encoder_init(&req);
	pdpw_encoder_init(&rep);
	if (pdpw_encode_batch_req(&req, 1, v, batch) != PDPW_OK)
		bench_die("out of memory");

	uint64_t t[4] = {0};
	uint32_t allow = 0;
	const char *why;
	for (uint32_t n = 0; n < count; n++) {
		pdpw_request q;
		pdpw_reply r;
		uint64_t t0 = bench_now_ns();
		if (pdpw_decode_request(&sd, req.p, req.n, &q, &why) !=
		    PDPW_OK)
			bench_die("decode: %s", why);
		uint64_t t1 = bench_now_ns();
		for (uint32_t i = 0; i < q.nitems; i++) {
			const pdpw_authz *a = &q.items[i];
			pdp_request pq = {.principal = a->principal,
			    .action = a->action, .resource = a->resource};
			pdp_decision d;
			pdp_bundle_authorize(b, &pq, &d, NULL);
			pdpw_result_of(&res[i], d.err, (int) d.effect,
			    d.reason);
		}
		uint64_t t2 = bench_now_ns();
		if (pdpw_encode_batch(&rep, 1, 1, res, q.nitems) != PDPW_OK)
			bench_die("out of memory");
		uint64_t t3 = bench_now_ns();
		if (pdpw_decode_reply(&cd, rep.p, rep.n, &r, &why) != PDPW_OK ||
		    r.nresults != batch)
			bench_die("decode reply: %s", why);
		uint64_t t4 = bench_now_ns();
		t[0] += t1 - t0;
		t[1] += t2 - t1;
		t[2] += t3 - t2;
		t[3] += t4 - t3;
		allow += r.results[0].decision == PDPW_ALLOW;
	}
	double per = (double) count * batch;
	double server = (double) (t[0] + t[1] + t[2]) / per;
	printf("wire  batch %u  request %zu bytes  reply %zu bytes  "
	    "decision %s\n", batch, req.n, rep.n,
	    allow == count ? "Allow" : "not Allow");
	printf("per decision: decode %.1f ns  decide %.1f ns  encode %.1f ns"
	    "  (server %.1f ns: %.2fM decisions/s a core)  client decode "
	    "%.1f ns\n", (double) t[0] / per, (double) t[1] / per,
	    (double) t[2] / per, server, 1e3 / server, (double) t[3] / per);
	pdpw_encoder_fini(&req);
	pdpw_encoder_fini(&rep);
	pdpw_decoder_fini(&sd);
	pdpw_decoder_fini(&cd);
	free(v);
	free(res);
	pdp_bundle_close(b);
	return 0;
}
