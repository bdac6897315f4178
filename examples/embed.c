// embed.c - an API gateway embedding libpdp: load a bundle into an
// engine, then authorize each incoming call before routing it.
//
//   embed BUNDLE.pdpb PRINCIPAL ACTION RESOURCE [KEY=VALUE ...]
//
// Build: cc embed.c $(pkg-config --cflags --libs pdp)

#include <stdio.h>
#include <string.h>

#include <pdp.h>

int
main(int argc, char **argv)
{
	pdp_context_entry ctx[PDP_CONTEXT_MAX];
	const char *vals[PDP_CONTEXT_MAX];
	char err[256];
	pdp_engine *engine;
	pdp_bundle *bundle;

	if (argc < 5) {
		fprintf(stderr, "usage: embed BUNDLE PRINCIPAL ACTION RESOURCE "
		    "[KEY=VALUE ...]\n");
		return 2;
	}
	// At start-up (and again on every policy change): open, verify,
	// publish. Requests in flight keep the bundle they started with.
	if (pdp_engine_open(&engine) != PDP_OK ||
	    pdp_bundle_open(argv[1], &bundle, err, sizeof(err)) != PDP_OK) {
		fprintf(stderr, "embed: %s\n", err);
		return 1;
	}
	pdp_engine_swap(engine, bundle);
	pdp_bundle_close(bundle); // the engine holds its own reference

	// Per request, from any thread: no allocation, no lock.
	pdp_request req = {.principal = argv[2], .action = argv[3],
	    .resource = argv[4], .context = ctx};
	for (int i = 5; i < argc && req.ncontext < PDP_CONTEXT_MAX; i++) {
		char *eq = strchr(argv[i], '=');
		if (eq == NULL)
			continue;
		*eq = '\0';
		vals[req.ncontext] = eq + 1;
		ctx[req.ncontext] = (pdp_context_entry){.key = argv[i],
		    .values = &vals[req.ncontext], .nvalues = 1};
		req.ncontext++;
	}
	pdp_decision d;
	pdp_explanation ex;
	pdp_authorize(engine, &req, &d, &ex);
	printf("%s (%s) at revision %llu\n", pdp_effect_name(d.effect),
	    d.reason, (unsigned long long) d.revision);
	for (uint32_t i = 0; i < ex.nmatched && i < PDP_EXPLAIN_MAX; i++)
		printf("  %.*s statement %u %.*s\n",
		    (int) ex.matched[i].policy_len, ex.matched[i].policy,
		    ex.matched[i].index, (int) ex.matched[i].sid_len,
		    ex.matched[i].sid);
	pdp_engine_close(engine);
	return d.effect == PDP_ALLOW ? 0 : 3;
}
