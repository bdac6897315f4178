// flags.c - the iam and sts commands' shared flag parsing: kebab-case
// commands and flags to AWS's operation and field names, flag values to
// JSON, and AWS's JSON printed back.

#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flags.h"

const char *flags_prog = "iam";

// Words AWS writes in capitals inside names (VirtualMFADeviceName).
static const char *const acronyms[] = {"mfa", "saml", "ssh"};

// acronym returns the length of the acronym word at `in`, or 0.
static size_t
acronym(const char *in)
{
	for (size_t i = 0; i < sizeof(acronyms) / sizeof(acronyms[0]); i++) {
		size_t k = strlen(acronyms[i]);
		if (strncmp(in, acronyms[i], k) == 0 &&
		    (in[k] == '-' || in[k] == '\0'))
			return k;
	}
	return 0;
}

// kebab_to_pascal turns "create-user" into "CreateUser", and
// "enable-mfa-device" into "EnableMFADevice".
void
kebab_to_pascal(const char *in, char *out, size_t len)
{
	size_t n = 0, caps = 0;
	bool up = true;

	for (; *in && n + 1 < len; in++) {
		if (*in == '-') {
			up = true;
			continue;
		}
		if (up)
			caps = acronym(in);
		out[n++] = up || caps ? (char) toupper((unsigned char) *in) :
		    *in;
		caps -= caps > 0;
		up = false;
	}
	out[n] = '\0';
}

// pascal_to_kebab is the reverse, as the AWS CLI names commands: a
// capital starts a word after a lower-case letter or digit, or when a
// lower-case letter follows it (MFADevice: mfa-device).
void
pascal_to_kebab(const char *in, char *out, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; in[i] && n + 2 < len; i++) {
		if (isupper((unsigned char) in[i]) && i > 0 &&
		    (!isupper((unsigned char) in[i - 1]) ||
		    islower((unsigned char) in[i + 1])))
			out[n++] = '-';
		out[n++] = (char) tolower((unsigned char) in[i]);
	}
	out[n] = '\0';
}

static char *
read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t) n + 1))) {
		if (fread(buf, 1, (size_t) n, f) != (size_t) n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
		}
	}
	fclose(f);
	return buf;
}

// is_number: the request fields that are integers (MaxItems,
// DurationSeconds, MinimumPasswordLength, PasswordReusePrevention, ...).
// Digits given to any other field stay text: a TokenCode "012345" or an
// ExternalId of digits must not become a number.
static bool
is_number(const char *field)
{
	size_t n = strlen(field);

	return strncmp(field, "Max", 3) == 0 || strncmp(field, "Min", 3) == 0 ||
	    (n >= 7 && strcmp(field + n - 7, "Seconds") == 0) ||
	    (n >= 8 && strcmp(field + n - 8, "Duration") == 0) ||
	    strcmp(field, "PasswordReusePrevention") == 0;
}

// pair parses the shorthand K=k,V=v of a tag (Key, Value) or a lookup
// attribute (AttributeKey, AttributeValue) into {K: k, V: v}; NULL when
// `v` is not one.
static json_t *
pair(const char *v, const char *key, const char *val)
{
	char sep[32];
	size_t n = strlen(key);

	snprintf(sep, sizeof(sep), ",%s=", val);
	if (strncmp(v, key, n) != 0 || v[n] != '=')
		return NULL;
	const char *c = strstr(v + n + 1, sep);
	if (c == NULL)
		return NULL;
	json_t *k = json_stringn(v + n + 1, (size_t) (c - v - n - 1));
	return json_pack("{s:o, s:s}", key, k, val, c + strlen(sep));
}

// value parses one flag value (see usage). Documents stay text: IAM
// takes policy documents as strings.
static json_t *
value(const char *field, const char *v)
{
	// STS's session policy (Policy) is a document too.
	bool doc = strstr(field, "Document") != NULL ||
	    strcmp(field, "Policy") == 0;

	if (strncmp(v, "file://", 7) == 0) {
		char *t = read_text(v + 7);
		json_t *j = t ? json_string(t) : NULL;
		free(t);
		if (j == NULL)
			fprintf(stderr, "%s: cannot read %s\n", flags_prog,
			    v + 7);
		return j;
	}
	if (!doc && (v[0] == '[' || v[0] == '{'))
		return json_loads(v, 0, NULL);
	if (strcmp(v, "true") == 0)
		return json_true();
	if (strcmp(v, "false") == 0)
		return json_false();
	if (is_number(field) && v[0] != '\0' &&
	    strspn(v, "0123456789") == strlen(v) && strlen(v) < 16)
		return json_integer(strtoll(v, NULL, 10));
	// A managed policy descriptor (PolicyArns): arn=ARN.
	if (strncmp(v, "arn=", 4) == 0)
		return json_pack("{s:s}", "arn", v + 4);
	json_t *p;
	if ((p = pair(v, "Key", "Value")) != NULL ||
	    (p = pair(v, "AttributeKey", "AttributeValue")) != NULL)
		return p;
	return json_string(v);
}

// is_list: the fields that are lists even with one value.
static bool
is_list(const char *field)
{
	static const char *const lists[] = {"Tags", "TagKeys", "PolicyArns",
	    "TransitiveTagKeys", "LookupAttributes"};

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		if (strcmp(field, lists[i]) == 0)
			return true;
	return false;
}

json_t *
parse_flags(int argc, char **argv)
{
	json_t *p = json_object();

	for (int i = 0; i < argc; i++) {
		char field[128];
		if (strncmp(argv[i], "--", 2) != 0) {
			fprintf(stderr, "%s: unexpected argument %s\n",
			    flags_prog, argv[i]);
			json_decref(p);
			return NULL;
		}
		bool neg = strncmp(argv[i], "--no-", 5) == 0;
		kebab_to_pascal(argv[i] + (neg ? 5 : 2), field,
		    sizeof(field));
		int k = i + 1;
		while (k < argc && strncmp(argv[k], "--", 2) != 0)
			k++;
		json_t *v;
		if (k == i + 1) {
			v = json_boolean(!neg);
		} else if (k == i + 2 && !is_list(field)) {
			v = value(field, argv[i + 1]);
		} else {
			v = json_array();
			for (int j = i + 1; j < k; j++) {
				json_t *e = value(field, argv[j]);
				// A single JSON list given for a list field.
				if (json_is_array(e) && k == i + 2) {
					json_decref(v);
					v = e;
					break;
				}
				json_array_append_new(v, e);
			}
		}
		if (v == NULL) {
			fprintf(stderr, "%s: bad value for %s\n", flags_prog,
			    argv[i]);
			json_decref(p);
			return NULL;
		}
		json_object_set_new(p, field, v);
		i = k - 1;
	}
	return p;
}

void
print_json(const json_t *j)
{
	char *t = json_dumps(j, JSON_INDENT(4) | JSON_PRESERVE_ORDER);

	if (t != NULL) {
		puts(t);
		free(t);
	}
}

// query_path applies the --query subset (see usage) to v: a new
// reference, or NULL when the path leads nowhere.
static json_t *
query_path(const json_t *v, const char *q)
{
	if (*q == '\0')
		return json_incref((json_t *) v);
	if (q[0] == '[' && q[1] != ']') {
		json_t *out = json_array();
		const char *p = q + 1;
		while (*p && *p != ']') {
			size_t n = strcspn(p, ",]");
			char name[128];
			snprintf(name, sizeof(name), "%.*s", (int) n, p);
			json_t *f = json_object_get(v, name);
			json_array_append_new(out, f ? json_incref(f) :
			    json_null());
			p += n + (p[n] == ',');
		}
		return out;
	}
	size_t n = strcspn(q, ".[");
	char name[128];
	snprintf(name, sizeof(name), "%.*s", (int) n, q);
	const json_t *child = json_object_get(v, name);
	const char *rest = q + n;
	if (child == NULL)
		return NULL;
	if (strncmp(rest, "[]", 2) == 0) {
		rest += 2 + (rest[2] == '.');
		json_t *out = json_array();
		size_t i;
		const json_t *e;
		json_array_foreach(child, i, e) {
			json_t *r = query_path(e, rest);
			json_array_append_new(out, r ? r : json_null());
		}
		return out;
	}
	return query_path(child, rest + (*rest == '.'));
}

static void
print_scalar(const json_t *v)
{
	if (json_is_string(v))
		fputs(json_string_value(v), stdout);
	else if (json_is_null(v))
		fputs("None", stdout);
	else if (json_is_true(v) || json_is_false(v))
		fputs(json_is_true(v) ? "True" : "False", stdout);
	else {
		char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		fputs(t ? t : "", stdout);
		free(t);
	}
}

// print_text prints as the aws CLI's --output text does, roughly: a
// list of scalars (or an object's values) on one line, tab-separated;
// a list of lists one line each.
static void
print_text(const json_t *v)
{
	size_t i;
	const char *k;
	const json_t *e;
	bool nested = false;

	if (json_is_array(v)) {
		json_array_foreach(v, i, e)
			nested |= json_is_array(e) || json_is_object(e);
		if (nested) {
			json_array_foreach(v, i, e)
				print_text(e);
			return;
		}
		json_array_foreach(v, i, e) {
			if (i > 0)
				putchar('\t');
			print_scalar(e);
		}
	} else if (json_is_object(v)) {
		i = 0;
		json_object_foreach((json_t *) v, k, e) {
			if (i++ > 0)
				putchar('\t');
			if (json_is_array(e) || json_is_object(e)) {
				char *t = json_dumps(e, JSON_COMPACT);
				fputs(t ? t : "", stdout);
				free(t);
			} else {
				print_scalar(e);
			}
		}
	} else {
		print_scalar(v);
	}
	putchar('\n');
}

bool
take_output(int *argc, char **argv, output *o)
{
	int n = 0;

	for (int i = 0; i < *argc; i++) {
		if ((strcmp(argv[i], "--query") == 0 ||
		    strcmp(argv[i], "--output") == 0) && i + 1 < *argc) {
			if (argv[i][2] == 'q')
				o->query = argv[i + 1];
			else if (strcmp(argv[i + 1], "text") == 0)
				o->text = true;
			else if (strcmp(argv[i + 1], "json") != 0) {
				fprintf(stderr, "%s: --output is json or "
				    "text\n", flags_prog);
				return false;
			}
			i++;
			continue;
		}
		argv[n++] = argv[i];
	}
	*argc = n;
	return true;
}

void
print_answer(const json_t *resp, const output *o)
{
	json_t *v = o->query ? query_path(resp, o->query) :
	    json_incref((json_t *) resp);

	if (v == NULL)
		v = json_null();
	if (o->text)
		print_text(v);
	else if (json_is_object(v) || json_is_array(v))
		print_json(v);
	else {
		char *t = json_dumps(v, JSON_ENCODE_ANY);
		puts(t ? t : "null");
		free(t);
	}
	json_decref(v);
}
