// action.c - Action / NotAction: validation with AWS's error texts, and
// compilation to folded service prefix plus exact name or glob.

#include <string.h>

#include "iamci.h"

static bool
vendor_ok(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.'))
			return false;
	}
	return true;
}

static bool
has_space(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))
			return true;
	}
	return false;
}

// action_compile fills *a from one action string; false on a validation
// error (reported) or out of memory.
static bool
action_compile(iamci_ctx *c, const char *path, const char *s, size_t n,
    void *out)
{
	pdpi_action *a = out;
	const char *colon = memchr(s, ':', n);
	size_t vn, nn;

	if (!iamci_str(c, s, n, &a->text))
		return false;
	if (n == 1 && s[0] == '*') {
		a->kind = PDPI_ACT_ALL;
		return iamci_str(c, "", 0, &a->svc) &&
		    iamci_str(c, "*", 1, &a->name);
	}
	if (colon == NULL) {
		iamci_error(c, path, "Actions/Conditions must be prefaced by "
		    "a vendor, e.g., iam, sdb, ec2, etc.");
		return false;
	}
	vn = (size_t) (colon - s);
	nn = n - vn - 1;
	if (memchr(colon + 1, ':', nn) != NULL) {
		iamci_error(c, path,
		    "Actions/Condition can contain only one colon.");
		return false;
	}
	if (!vendor_ok(s, vn)) {
		iamci_error(c, path, "Vendor %.*s is not valid", (int) vn, s);
		return false;
	}
	if (!iamci_str_fold(c, s, vn, &a->svc) ||
	    !iamci_str_fold(c, colon + 1, nn, &a->name))
		return false;
	// IAM saves "s3:" and "iam: a b" but no request action can carry
	// them, so they compile to entries that never match.
	if (nn == 0 || has_space(colon + 1, nn))
		a->kind = PDPI_ACT_NONE;
	else if (iamci_has_wildcard(colon + 1, nn))
		a->kind = PDPI_ACT_GLOB;
	else
		a->kind = PDPI_ACT_EXACT;
	return true;
}

uint32_t
iamci_actions_compile(iamci_ctx *c, const char *path, const char *what,
    const json_t *v, const pdpi_action **out)
{
	void *arr;
	uint32_t k = iamci_strlist_compile(c, path, what, v,
	    sizeof(pdpi_action), action_compile, &arr);

	*out = arr;
	return k;
}
