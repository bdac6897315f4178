// custom.c - condition keys that plugins compute (corp:BusinessHours):
// conditions on them are marked custom so that the engine asks the
// plugin provider for the value, their operators are checked against the
// type each plugin declares, and a misspelt key in a plugin's namespace
// is flagged. Which keys exist comes from iamc_compile_options, filled
// from the plugins' manifests (plugin_keys.c).

#include <string.h>
#include <strings.h>

#include "iamci.h"

static const char *const type_names[] = {
	[IAMC_TYPE_STRING] = "String",
	[IAMC_TYPE_NUMERIC] = "Numeric",
	[IAMC_TYPE_DATE] = "Date",
	[IAMC_TYPE_BOOL] = "Bool",
	[IAMC_TYPE_IPADDRESS] = "IpAddress",
	[IAMC_TYPE_ARN] = "Arn",
	[IAMC_TYPE_BINARY] = "Binary",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

bool
iamc_key_type_parse(const char *s, iamc_key_type *out)
{
	for (size_t i = 0; s != NULL && i < NELEM(type_names); i++) {
		if (strcmp(s, type_names[i]) == 0) {
			*out = (iamc_key_type) i;
			return true;
		}
	}
	return false;
}

const char *
iamc_key_type_name(iamc_key_type t)
{
	return (unsigned) t < NELEM(type_names) ? type_names[t] : "?";
}

// fits says whether operator `op` can test a key of type t. String
// operators also test ARNs, as AWS allows; Null tests any key. Anything
// else would compare text that cannot parse, and never match.
static bool
fits(uint8_t op, iamc_key_type t)
{
	switch (op) {
	case PDPI_COP_STR_EQ:
	case PDPI_COP_STR_EQ_IC:
	case PDPI_COP_STR_LIKE:
		return t == IAMC_TYPE_STRING || t == IAMC_TYPE_ARN;
	case PDPI_COP_NUM_EQ:
	case PDPI_COP_NUM_LT:
	case PDPI_COP_NUM_LE:
	case PDPI_COP_NUM_GT:
	case PDPI_COP_NUM_GE:
		return t == IAMC_TYPE_NUMERIC;
	case PDPI_COP_DATE_EQ:
	case PDPI_COP_DATE_LT:
	case PDPI_COP_DATE_LE:
	case PDPI_COP_DATE_GT:
	case PDPI_COP_DATE_GE:
		return t == IAMC_TYPE_DATE;
	case PDPI_COP_BOOL:
		return t == IAMC_TYPE_BOOL;
	case PDPI_COP_BINARY:
		return t == IAMC_TYPE_BINARY;
	case PDPI_COP_IP:
		return t == IAMC_TYPE_IPADDRESS;
	case PDPI_COP_ARN_LIKE:
		return t == IAMC_TYPE_ARN;
	default:
		return true; // Null
	}
}

// A suitable operator family for each type, for the message.
static const char *const family[] = {
	[IAMC_TYPE_STRING] = "a String operator",
	[IAMC_TYPE_NUMERIC] = "a Numeric operator",
	[IAMC_TYPE_DATE] = "a Date operator",
	[IAMC_TYPE_BOOL] = "Bool",
	[IAMC_TYPE_IPADDRESS] = "IpAddress or NotIpAddress",
	[IAMC_TYPE_ARN] = "an Arn or String operator",
	[IAMC_TYPE_BINARY] = "BinaryEquals",
};

// prefix_len: the length of "corp:" in "corp:Key", or 0.
static size_t
prefix_len(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	return colon != NULL ? (size_t) (colon - s) + 1 : 0;
}

void
iamci_custom_key(iamci_ctx *c, const char *kpath, pdpi_cond *cd)
{
	const iamc_compile_options *o = c->opt;
	size_t pn;

	if (o == NULL || o->nkeys == 0)
		return;
	for (size_t i = 0; i < o->nkeys; i++) {
		const iamc_custom_key *k = &o->keys[i];
		if (strlen(k->name) != cd->key.n ||
		    strncasecmp(k->name, cd->key.p, cd->key.n) != 0)
			continue;
		cd->custom = true;
		// A never-matching condition on a Deny would silently allow,
		// so a mismatch is an error, not a warning.
		if (!fits(cd->op, k->type))
			iamci_error(c, kpath, "operator %s does not fit "
			    "condition key \"%s\": plugin %s declares it %s; "
			    "use %s", cd->opname.p, cd->keytext.p,
			    k->plugin ? k->plugin : "?",
			    iamc_key_type_name(k->type),
			    (unsigned) k->type < NELEM(family) ?
			    family[k->type] : "a fitting operator");
		return;
	}
	// Not declared. It is a plugin key, and so a mistake, only in a
	// namespace plugins use: s3:prefix and ec2:ResourceTag/... are the
	// services' keys, never a plugin's.
	pn = prefix_len(cd->key.p, cd->key.n);
	if (pn == 0)
		return;
	for (size_t i = 0; i < o->nkeys; i++) {
		const char *name = o->keys[i].name;
		if (prefix_len(name, strlen(name)) == pn &&
		    strncasecmp(name, cd->key.p, pn) == 0) {
			iamci_warn(c, kpath, "unknown condition key \"%s\": "
			    "no plugin declares it, though plugins declare "
			    "other %.*s keys (such as %s)", cd->keytext.p,
			    (int) pn, name, name);
			return;
		}
	}
}
