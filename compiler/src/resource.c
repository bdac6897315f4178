// resource.c - Resource / NotResource: ARN validation with AWS's error
// texts, and compilation to five glob segments plus a resource template.

#include <string.h>

#include "iamci.h"

static const char *const partitions[] = {
	"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e",
	"aws-iso-f", "aws-eusc",
};

static const char *const iam_starts[] = {
	"user/", "federated-user/", "role/", "group/", "instance-profile/",
	"mfa/", "server-certificate/", "policy/", "sms-mfa/",
	"saml-provider/", "oidc-provider/", "report/", "access-report/",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static bool
seg_is(const pdpi_str *s, const char *lit)
{
	return s->n == strlen(lit) && memcmp(s->p, lit, s->n) == 0;
}

static bool
partition_ok(const pdpi_str *s)
{
	if (iamci_has_wildcard(s->p, s->n))
		return true;
	for (size_t i = 0; i < NELEM(partitions); i++) {
		if (seg_is(s, partitions[i]))
			return true;
	}
	return false;
}

static bool
iam_rest_ok(const char *s, size_t n)
{
	// "root" names the account's root user (arn:aws:iam::A:root).
	if ((n > 0 && s[0] == '*') || (n == 4 && memcmp(s, "root", 4) == 0))
		return true;
	for (size_t i = 0; i < NELEM(iam_starts); i++) {
		size_t k = strlen(iam_starts[i]);
		if (n >= k && memcmp(s, iam_starts[i], k) == 0)
			return true;
	}
	return false;
}

// A short ARN (fewer than six parts) matches nothing in a resource, trust
// or RCP policy unless it has a wildcard; identity-style policies pad it
// with "*" segments (so arn:aws:s3:* is arn:aws:s3:*:*:*).
static bool
pads_short(const iamci_ctx *c, const char *s, size_t n)
{
	switch (c->type) {
	case PDP_POLICY_RESOURCE:
	case PDP_POLICY_TRUST:
	case PDP_POLICY_RCP:
		return iamci_has_wildcard(s, n);
	default:
		return true;
	}
}

// resource_compile fills *r from one resource string; false on an error
// (reported) or out of memory.
static bool
resource_compile(iamci_ctx *c, const char *path, const char *s, size_t n,
    void *out)
{
	pdpi_resource *r = out;
	pdpi_str seg[6];
	size_t nseg = 0, start = 0, ncolon = 0;
	const char *rest = NULL;
	size_t restn = 0;

	pdpi_str text;
	if (!iamci_str(c, s, n, &text))
		return false;
	pdpi_res_set_text(r, text);
	if (n == 1 && s[0] == '*') {
		r->kind = PDPI_RES_ALL;
		return true;
	}
	for (size_t i = 0; i < n; i++)
		ncolon += s[i] == ':';
	memset(seg, 0, sizeof(seg));
	for (size_t i = 0; i <= n && nseg < 5; i++) {
		if (i == n || s[i] == ':') {
			seg[nseg].p = s + start;
			seg[nseg].n = (uint32_t) (i - start);
			nseg++;
			start = i + 1;
		}
	}
	if (nseg == 5 && start <= n) {
		rest = s + start;
		restn = n - start;
	}
	if (ncolon == 0 || !seg_is(&seg[0], "arn")) {
		iamci_error(c, path,
		    "Resource %.*s must be in ARN format or \"*\".", (int) n,
		    s);
		return false;
	}
	if (!partition_ok(&seg[1])) {
		// AWS's message echoes the ARN with missing parts as "*".
		iamci_error(c, path, "Partition \"%.*s\" is not valid for "
		    "resource \"arn:%.*s:%.*s:%.*s:%.*s:%.*s\".",
		    (int) seg[1].n, seg[1].p, (int) seg[1].n, seg[1].p,
		    nseg > 2 ? (int) seg[2].n : 1, nseg > 2 ? seg[2].p : "*",
		    nseg > 3 ? (int) seg[3].n : 1, nseg > 3 ? seg[3].p : "*",
		    nseg > 4 ? (int) seg[4].n : 1, nseg > 4 ? seg[4].p : "*",
		    rest ? (int) restn : 1, rest ? rest : "*");
		return false;
	}
	if (nseg < 3 || iamci_has_wildcard(seg[2].p, seg[2].n)) {
		iamci_error(c, path, "Resource vendor must be fully qualified "
		    "and cannot contain regexes.");
		return false;
	}
	if (seg[2].n == 0 || (ncolon < 5 && strstr(s, "::") != NULL)) {
		iamci_error(c, path, "The policy failed legacy parsing");
		return false;
	}
	if (nseg > 3 && seg[3].n > 0 &&
	    !iamci_has_wildcard(seg[3].p, seg[3].n)) {
		if (seg_is(&seg[2], "iam")) {
			iamci_error(c, path, "IAM resource %.*s cannot "
			    "contain region information.", (int) n, s);
			return false;
		}
		if (seg_is(&seg[2], "s3")) {
			iamci_error(c, path, "Resource %.*s can not contain "
			    "region information.", (int) n, s);
			return false;
		}
	}
	if (rest != NULL && seg_is(&seg[2], "iam") &&
	    !iam_rest_ok(rest, restn)) {
		iamci_error(c, path, "IAM resource path must either be \"*\" "
		    "or \"root\" or start with user/, federated-user/, role/, "
		    "group/, instance-profile/, mfa/, server-certificate/, "
		    "policy/, sms-mfa/, saml-provider/, oidc-provider/, "
		    "report/, access-report/.");
		return false;
	}

	if (rest == NULL) {
		if (!pads_short(c, s, n)) {
			r->kind = PDPI_RES_NONE;
			return true;
		}
		for (size_t i = nseg; i < 5; i++) {
			seg[i].p = "*";
			seg[i].n = 1;
		}
		rest = "*";
		restn = 1;
	}
	r->kind = PDPI_RES_ARN;
	for (size_t i = 0; i < 5; i++) {
		if (!iamci_str(c, seg[i].p, seg[i].n, &r->seg[i]))
			return false;
	}
	// Variables live only in the resource part; ${ in the first five
	// segments is literal text.
	return iamci_tmpl_build(c, rest, restn, c->vars, &r->rest);
}

uint32_t
iamci_resources_compile(iamci_ctx *c, const char *path, const char *what,
    const json_t *v, const pdpi_resource **out)
{
	void *arr;
	uint32_t k = iamci_strlist_compile(c, path, what, v,
	    sizeof(pdpi_resource), resource_compile, &arr);

	*out = arr;
	return k;
}
