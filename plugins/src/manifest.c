// manifest.c - a plugin's manifest (NAME.json beside NAME.lua): its name,
// the condition keys it computes with their IAM types, and when its check
// runs. The compiler reads the same files (compiler/src/plugin_keys.c)
// without running Lua; plugins/README.md specifies the format.

#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "pdpli.h"

static const char *const type_names[] = {
	[PDPLI_STRING] = "String",
	[PDPLI_NUMERIC] = "Numeric",
	[PDPLI_DATE] = "Date",
	[PDPLI_BOOL] = "Bool",
	[PDPLI_IPADDRESS] = "IpAddress",
	[PDPLI_ARN] = "Arn",
	[PDPLI_BINARY] = "Binary",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static bool
parse_type(const char *s, pdpli_type *t)
{
	for (size_t i = 0; i < NELEM(type_names); i++) {
		if (strcmp(s, type_names[i]) == 0) {
			*t = (pdpli_type) i;
			return true;
		}
	}
	return false;
}

// key_ok: "prefix:Name" with a prefix of letters, digits and '-' that is
// not "aws" (AWS's global keys are the engine's, never a plugin's), and a
// name of printable characters without spaces.
static const char *
key_ok(const char *k, size_t n)
{
	const char *colon = memchr(k, ':', n);
	size_t pn;

	if (colon == NULL || colon == k || (size_t) (colon - k) == n - 1)
		return "must look like \"prefix:Name\"";
	pn = (size_t) (colon - k);
	for (size_t i = 0; i < pn; i++) {
		char c = k[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-'))
			return "has a prefix that is not letters, digits "
			    "and '-'";
	}
	if (pn == 3 && strncasecmp(k, "aws", 3) == 0)
		return "is in the aws: namespace, which belongs to AWS";
	for (size_t i = pn + 1; i < n; i++) {
		unsigned char c = (unsigned char) k[i];
		if (c <= ' ' || c == 0x7f)
			return "has a space or a control character";
	}
	if (n > 128)
		return "is longer than 128 characters";
	return NULL;
}

static int bad(char *err, size_t errlen, const char *path,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

// bad reports a problem of manifest `path` as "PATH: message".
static int
bad(char *err, size_t errlen, const char *path, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err == NULL || errlen == 0)
		return PDP_EINVAL;
	n = snprintf(err, errlen, "%s: ", path);
	if (n >= 0 && (size_t) n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t) n, fmt, ap);
		va_end(ap);
	}
	return PDP_EINVAL;
}

static int
add_key(pdpl_host *h, const char *k, pdpli_type t, uint32_t index)
{
	pdpli_key *v = realloc(h->keys, (h->nkeys + 1) * sizeof(*v));

	if (v == NULL)
		return PDP_ENOMEM;
	h->keys = v;
	v[h->nkeys].name = strdup(k);
	if (v[h->nkeys].name == NULL)
		return PDP_ENOMEM;
	v[h->nkeys].len = strlen(k);
	v[h->nkeys].type = t;
	v[h->nkeys].plugin = index;
	h->nkeys++;
	return PDP_OK;
}

int
pdpli_manifest_read(pdpl_host *h, const char *path, const char *name,
    uint32_t index, pdpli_plugin *p, char *err, size_t errlen)
{
	json_error_t je;
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	const char *field, *k;
	json_t *v, *t;
	int rv = PDP_OK;

	if (doc == NULL) {
		if (err != NULL)
			snprintf(err, errlen, "%s:%d:%d: %s", path, je.line,
			    je.column, je.text);
		return je.line <= 0 ? PDP_EIO : PDP_EINVAL;
	}
	if (!json_is_object(doc)) {
		rv = bad(err, errlen, path, "%s", "a manifest is a JSON "
		    "object");
		goto done;
	}
	json_object_foreach(doc, field, v) {
		if (strcmp(field, "name") != 0 && strcmp(field, "keys") != 0 &&
		    strcmp(field, "check") != 0 &&
		    strcmp(field, "description") != 0) {
			rv = bad(err, errlen, path, "unknown field \"%s\"",
			    field);
			goto done;
		}
	}
	v = json_object_get(doc, "name");
	if (!json_is_string(v) || strcmp(json_string_value(v), name) != 0) {
		rv = bad(err, errlen, path, "\"name\" must be \"%s\", the "
		    "file's name", name);
		goto done;
	}
	v = json_object_get(doc, "description");
	if (v != NULL && !json_is_string(v)) {
		rv = bad(err, errlen, path, "%s", "\"description\" must be a "
		    "string");
		goto done;
	}
	p->check = PDPLI_CHECK_NONE;
	v = json_object_get(doc, "check");
	if (v != NULL) {
		const char *s = json_string_value(v);
		if (s != NULL && strcmp(s, "tagging") == 0)
			p->check = PDPLI_CHECK_TAGGING;
		else if (s != NULL && strcmp(s, "always") == 0)
			p->check = PDPLI_CHECK_ALWAYS;
		else {
			rv = bad(err, errlen, path, "%s", "\"check\" must be "
			    "\"tagging\" or \"always\"");
			goto done;
		}
	}
	v = json_object_get(doc, "keys");
	if (v != NULL && !json_is_object(v)) {
		rv = bad(err, errlen, path, "%s", "\"keys\" must map "
		    "condition keys to types");
		goto done;
	}
	json_object_foreach(v, k, t) {
		pdpli_type ty;
		const char *why = key_ok(k, strlen(k));
		if (why != NULL) {
			rv = bad(err, errlen, path, "key \"%.128s\" %s", k,
			    why);
			goto done;
		}
		if (!json_is_string(t) || !parse_type(json_string_value(t),
		    &ty)) {
			rv = bad(err, errlen, path, "key \"%.128s\": the type "
			    "must be String, Numeric, Date, Bool, IpAddress, "
			    "Arn or Binary", k);
			goto done;
		}
		for (uint32_t i = 0; i < h->nkeys; i++) {
			if (strcasecmp(h->keys[i].name, k) == 0) {
				rv = bad(err, errlen, path, "key \"%.128s\" "
				    "is also declared by plugin %.64s", k,
				    h->plugins[h->keys[i].plugin].name);
				goto done;
			}
		}
		if ((rv = add_key(h, k, ty, index)) != PDP_OK)
			goto done;
	}
	if (p->check == PDPLI_CHECK_NONE && json_object_size(v) == 0)
		rv = bad(err, errlen, path, "%s", "the plugin declares no "
		    "keys and no check");
done:
	json_decref(doc);
	return rv;
}
