// client.c - ask pdpd one question: may PRINCIPAL do ACTION on RESOURCE?
//
//   client URL PRINCIPAL ACTION [RESOURCE [KEY=VALUE ...]]
//
// Prints the decision, the bundle revision that made it and why; exits 0
// on Allow, 1 on a deny, 2 when the server could not decide.

#include <stdio.h>
#include <string.h>

#include "pdpclient.h"

int
main(int argc, char **argv)
{
	pdpw_ctx ctx[16];
	const char *vals[16];
	pdpw_authz req = {0};
	pdpw_reply rep;
	pdpc_client *c;
	char err[256];

	if (argc < 4 || argc - 5 > 16) {
		fprintf(stderr, "usage: client URL PRINCIPAL ACTION "
		    "[RESOURCE [KEY=VALUE ...]]\n");
		return 2;
	}
	req.principal = argv[2];
	req.action = argv[3];
	req.resource = argc > 4 ? argv[4] : NULL;
	for (int i = 5; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (eq == NULL)
			continue;
		*eq = '\0';
		vals[req.ncontext] = eq + 1;
		ctx[req.ncontext] = (pdpw_ctx){argv[i], &vals[req.ncontext], 1,
		    false};
		req.ncontext++;
	}
	req.context = ctx;
	if (pdpc_open(argv[1], 2000, &c, err, sizeof(err)) != PDPW_OK) {
		fprintf(stderr, "client: %s\n", err);
		return 2;
	}
	pdpc_explain(c, &req, &rep);
	printf("%s (revision %llu)", pdpw_decision_name(rep.result.decision),
	    (unsigned long long) rep.revision);
	if (rep.status != PDPW_OK)
		printf(": could not decide: %s: %s",
		    pdpw_status_name(rep.status), rep.error);
	else if (rep.result.reason != NULL)
		printf(": %s", rep.result.reason);
	printf("\n");
	for (uint32_t i = 0; i < rep.explain.nmatched; i++)
		printf("  by %s statement %u%s%s\n", rep.explain.matched[i].policy,
		    rep.explain.matched[i].statement,
		    rep.explain.matched[i].sid_len ? " " : "",
		    rep.explain.matched[i].sid);
	int rv = rep.status != PDPW_OK ? 2 :
	    rep.result.decision == PDPW_ALLOW ? 0 : 1;
	pdpc_close(c);
	return rv;
}
