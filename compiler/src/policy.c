// policy.c - a whole policy document: Version, Id and Statement, Sid
// uniqueness and size quotas, then the compiled pdpi_policy. The entry
// points of the compiler API live here.

#include <stdlib.h>
#include <string.h>

#include "iamci.h"

static const char *const type_names[] = {
	[PDP_POLICY_IDENTITY] = "identity",
	[PDP_POLICY_RESOURCE] = "resource",
	[PDP_POLICY_TRUST] = "trust",
	[PDP_POLICY_SCP] = "scp",
	[PDP_POLICY_RCP] = "rcp",
	[PDP_POLICY_BOUNDARY] = "boundary",
	[PDP_POLICY_SESSION] = "session",
	[PDP_POLICY_AWS_MANAGED] = "aws-managed",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

bool
iamc_policy_type_parse(const char *s, pdp_policy_type *out)
{
	if (s == NULL)
		return false;
	for (size_t i = 0; i < NELEM(type_names); i++) {
		if (strcmp(s, type_names[i]) == 0) {
			*out = (pdp_policy_type) i;
			return true;
		}
	}
	return false;
}

// version checks Version and decides whether ${...} are variables.
static void
version(iamci_ctx *c, const json_t *doc)
{
	const json_t *v = json_object_get(doc, "Version");
	// Managed policies (CreatePolicy) and RCPs demand 2012-10-17.
	bool required = c->type == PDP_POLICY_RCP ||
	    c->type == PDP_POLICY_AWS_MANAGED;
	const char *s;

	if (v == NULL) {
		if (required)
			iamci_error(c, "", "Policy document must be version "
			    "2012-10-17 or greater.");
		else
			iamci_warn(c, "", "missing Version: policy variables "
			    "are not recognized; add \"Version\": "
			    "\"2012-10-17\"");
		return;
	}
	if (!json_is_string(v)) {
		iamci_error(c, "Version", "Version must be a string");
		return;
	}
	s = json_string_value(v);
	if (strcmp(s, "2012-10-17") == 0) {
		c->vars = true;
	} else if (strcmp(s, "2008-10-17") == 0) {
		if (required)
			iamci_error(c, "Version", "Policy document must be "
			    "version 2012-10-17 or greater.");
	} else {
		iamci_error(c, "Version", "invalid Version \"%s\": expected "
		    "\"2012-10-17\" or \"2008-10-17\"" IAMCI_AWS_SYNTAX, s);
	}
}

// size_check applies the size quotas, counted as AWS does: characters
// other than whitespace.
static void
size_check(iamci_ctx *c, const json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT);
	size_t n = 0;

	if (text == NULL) {
		c->nomem = true;
		return;
	}
	for (const unsigned char *p = (const unsigned char *) text; *p; p++) {
		// Count code points, not UTF-8 bytes.
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' &&
		    (*p & 0xC0) != 0x80)
			n++;
	}
	free(text);
	switch (c->type) {
	case PDP_POLICY_IDENTITY:
	case PDP_POLICY_BOUNDARY:
		// Also used for inline policies, whose quota is per entity.
		if (n > 6144)
			iamci_warn(c, "", "policy has %zu characters "
			    "(whitespace not counted); a managed policy may "
			    "have at most 6144", n);
		break;
	case PDP_POLICY_TRUST:
		if (n > 4096)
			iamci_error(c, "", "policy has %zu characters "
			    "(whitespace not counted); a role trust policy "
			    "may have at most 4096", n);
		else if (n > 2048)
			iamci_warn(c, "", "policy has %zu characters "
			    "(whitespace not counted); a role trust policy "
			    "may have 2048 unless the account's quota was "
			    "raised", n);
		break;
	case PDP_POLICY_SESSION:
		if (n > 2048)
			iamci_error(c, "", "policy has %zu characters "
			    "(whitespace not counted); a session policy may "
			    "have at most 2048", n);
		break;
	default:
		break;
	}
}

// statements compiles the Statement element into pol.
static void
statements(iamci_ctx *c, const json_t *doc, pdpi_policy *pol)
{
	const json_t *v = json_object_get(doc, "Statement");
	char p[IAMCI_PATH_MAX];
	pdpi_stmt *st;
	size_t n;

	if (v == NULL) {
		iamci_error(c, "", "missing required element \"Statement\""
		    IAMCI_AWS_SYNTAX);
		return;
	}
	if (!json_is_object(v) && !json_is_array(v)) {
		iamci_error(c, "Statement", "Statement must be an object or "
		    "an array of objects" IAMCI_AWS_SYNTAX);
		return;
	}
	n = json_is_array(v) ? json_array_size(v) : 1;
	if (n == 0) {
		iamci_error(c, "Statement", "Statement must not be an empty "
		    "array" IAMCI_AWS_SYNTAX);
		return;
	}
	st = iamci_alloc(c, n * sizeof(*st));
	if (st == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
		iamci_elem_path(p, "Statement", v, i);
		iamci_stmt_compile(c, p, (uint32_t) i, e, &st[i]);
		if (c->nomem)
			return;
	}
	// Empty Sids are absent Sids, as in AWS: they never clash.
	for (size_t i = 1; i < n; i++) {
		for (size_t j = 0; j < i; j++) {
			if (st[i].sid.n == 0 || st[i].sid.n != st[j].sid.n ||
			    memcmp(st[i].sid.p, st[j].sid.p, st[i].sid.n) != 0)
				continue;
			iamci_path(p, "Statement[%zu].Sid", i);
			iamci_error(c, p, "Statement IDs (SID) in a single "
			    "policy must be unique.");
			break;
		}
	}
	pol->stmts = st;
	pol->nstmts = (uint32_t) n;
}

int
iamc_policy_compile(iamc_arena *a, const json_t *doc, pdp_policy_type type,
    const char *name, const pdpi_policy **out, iamc_diags *d)
{
	return iamc_policy_compile_ex(a, doc, type, name, NULL, out, d);
}

int
iamc_policy_compile_ex(iamc_arena *a, const json_t *doc,
    pdp_policy_type type, const char *name, const iamc_compile_options *opt,
    const pdpi_policy **out, iamc_diags *d)
{
	iamc_diags local;
	iamci_ctx c;
	pdpi_policy *pol;
	const char *key;
	json_t *val;
	int rv;

	if (a == NULL || doc == NULL || out == NULL ||
	    (unsigned) type >= NELEM(type_names))
		return PDP_EINVAL;
	iamc_diags_init(&local);
	memset(&c, 0, sizeof(c));
	c.a = a;
	c.d = d != NULL ? d : &local;
	c.type = type;
	c.opt = opt;

	pol = iamci_alloc(&c, sizeof(*pol));
	if (pol == NULL)
		goto done;
	pol->type = (uint8_t) type;
	if (!iamci_str(&c, name ? name : "", name ? strlen(name) : 0,
	    &pol->name))
		goto done;
	if (!json_is_object(doc)) {
		iamci_error(&c, "", "a policy document must be a JSON object");
		goto done;
	}
	json_object_foreach((json_t *) doc, key, val) {
		if (strcmp(key, "Version") != 0 && strcmp(key, "Id") != 0 &&
		    strcmp(key, "Statement") != 0)
			iamci_error(&c, key, "unknown element \"%s\""
			    IAMCI_AWS_SYNTAX, key);
	}
	iamci_charset_check(&c, doc, "");
	version(&c, doc);
	val = json_object_get(doc, "Id");
	if (val != NULL && !json_is_string(val))
		iamci_error(&c, "Id", "Id must be a string");
	statements(&c, doc, pol);
	if (!c.nomem)
		size_check(&c, doc);
	pol->vars = c.vars;
done:
	if (c.nomem)
		rv = PDP_ENOMEM;
	else if (c.nerr > 0)
		rv = PDP_EPOLICY;
	else
		rv = PDP_OK;
	if (rv == PDP_OK)
		*out = pol;
	iamc_diags_fini(&local);
	return rv;
}

int
iamc_policy_compile_text(iamc_arena *a, const char *text, size_t len,
    pdp_policy_type type, const char *name, const pdpi_policy **out,
    iamc_diags *d)
{
	return iamc_policy_compile_text_ex(a, text, len, type, name, NULL, out,
	    d);
}

int
iamc_policy_compile_text_ex(iamc_arena *a, const char *text, size_t len,
    pdp_policy_type type, const char *name, const iamc_compile_options *opt,
    const pdpi_policy **out, iamc_diags *d)
{
	json_error_t err;
	json_t *doc;
	int rv;

	if (a == NULL || text == NULL || out == NULL)
		return PDP_EINVAL;
	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	if (doc == NULL) {
		if (json_error_code(&err) == json_error_out_of_memory)
			return PDP_ENOMEM;
		if (d != NULL)
			iamc_diags_add(d, IAMC_ERROR, "", "invalid JSON at "
			    "line %d, column %d: %s", err.line, err.column,
			    err.text);
		return PDP_EPOLICY;
	}
	rv = iamc_policy_compile_ex(a, doc, type, name, opt, out, d);
	json_decref(doc);
	return rv;
}
