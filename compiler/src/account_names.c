// account_names.c - the identifiers of the account model: names, paths,
// unique ids, tags and account ids, checked against IAM's rules
// (iam-semantics 13.1, 13.2, 7.2) so that a model AWS would refuse is
// refused here too.

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "iamci_account.h"

#define TAGS_MAX 50
#define TAG_KEY_MAX 128
#define TAG_VALUE_MAX 256
#define UID_MAX 128

// chars counts the characters of UTF-8 text: AWS's tag limits count
// characters, not bytes.
static size_t
chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char) *s & 0xC0) != 0x80;
	return n;
}

static bool
is_word(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '_';
}

// IAM's name set: [\w+=,.@-].
static bool
is_name_char(char ch)
{
	return is_word(ch) || strchr("+=,.@-", ch) != NULL;
}

const char *
iamci_name_check(iamci_am *m, const json_t *v, const char *where,
    const char *what, size_t max)
{
	if (v == NULL) {
		iamci_am_error(m, NULL, where, "missing %s", what);
		return NULL;
	}
	if (!json_is_string(v)) {
		iamci_am_error(m, NULL, where, "%s must be a string", what);
		return NULL;
	}
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (n == 0 || n > max) {
		iamci_am_error(m, NULL, where, "%s \"%s\" must have 1 to %zu "
		    "characters", what, s, max);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (!is_name_char(s[i])) {
			iamci_am_error(m, NULL, where, "%s \"%s\" may contain "
			    "only letters, digits and +=,.@_-", what, s);
			return NULL;
		}
	}
	return s;
}

const char *
iamci_path_check(iamci_am *m, const json_t *v, const char *where,
    bool managed)
{
	if (v == NULL)
		return "/";
	if (!json_is_string(v)) {
		iamci_am_error(m, NULL, where, "path must be a string");
		return NULL;
	}
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	bool ok = n >= 1 && n <= 512 && s[0] == '/' && s[n - 1] == '/';
	for (size_t i = 1; ok && i + 1 < n; i++) {
		unsigned char ch = (unsigned char) s[i];
		if (managed)
			// ((/[A-Za-z0-9\.,\+@=_-]+)*)/
			ok = ch == '/' ? s[i - 1] != '/' :
			    (is_word((char) ch) ||
			    strchr(".,+@=-", ch) != NULL);
		else
			ok = ch >= 0x21 && ch <= 0x7e;
	}
	if (!ok) {
		iamci_am_error(m, NULL, where, "invalid path \"%s\": %s", s,
		    managed ? "a managed policy path is \"/\" or "
		    "\"/segment/.../\" with letters, digits and .,+@=_- in "
		    "each segment" : "a path is \"/\" or begins and ends with "
		    "\"/\", 1 to 512 printable ASCII characters");
		return NULL;
	}
	return s;
}

void
iamc_account_unique_id(const char *prefix, const char *account,
    const char *name, char out[21])
{
	static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	char key[256];
	size_t n = (size_t) snprintf(key, sizeof(key), "%s:%s:", prefix,
	    account);

	for (const char *p = name; *p && n + 1 < sizeof(key); p++)
		key[n++] = (char) (*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	XXH128_hash_t h = XXH3_128bits(key, n);
	memcpy(out, prefix, 4);
	// 16 base-36 digits use 83 of the 128 bits.
	for (int i = 0; i < 16; i++) {
		uint64_t rem = 0;
		uint64_t hi = h.high64, lo = h.low64;
		// (hi:lo) / 36 by long division on 32-bit halves.
		uint64_t parts[4] = {hi >> 32, hi & 0xffffffffu, lo >> 32,
		    lo & 0xffffffffu};
		for (int k = 0; k < 4; k++) {
			uint64_t cur = (rem << 32) | parts[k];
			parts[k] = cur / 36;
			rem = cur % 36;
		}
		h.high64 = (parts[0] << 32) | parts[1];
		h.low64 = (parts[2] << 32) | parts[3];
		out[4 + i] = digits[rem];
	}
	out[20] = '\0';
}

const char *
iamci_uid_check(iamci_am *m, const json_t *v, const char *where,
    const char *prefix, const char *account, const char *name)
{
	const char *s;

	if (v == NULL) {
		char gen[21];
		iamc_account_unique_id(prefix, account, name, gen);
		s = iamci_am_strdup(m, gen);
	} else if (!json_is_string(v)) {
		iamci_am_error(m, NULL, where, "id must be a string");
		return NULL;
	} else {
		s = json_string_value(v);
		size_t n = json_string_length(v);
		bool ok = n >= 16 && n <= UID_MAX &&
		    strncmp(s, prefix, 4) == 0;
		for (size_t i = 0; ok && i < n; i++)
			ok = is_word(s[i]);
		if (!ok) {
			iamci_am_error(m, NULL, where, "invalid unique id "
			    "\"%s\": expected \"%s\" followed by letters and "
			    "digits, 16 to 128 characters in all", s, prefix);
			return NULL;
		}
	}
	if (s == NULL)
		return NULL;
	const char *w = iamci_am_strdup(m, where);
	const char *prev = w ? iamci_smap_put(m, &m->uidmap, s, (void *) w) :
	    NULL;
	if (prev != NULL) {
		iamci_am_error(m, NULL, where, "unique id \"%s\" is also "
		    "used at %s", s, prev);
		return NULL;
	}
	return s;
}

#define ACCESS_KEYS_MAX 2 // per user or root user (iam-semantics 13.2)

// key_id_ok: AKIA then 12-124 of [A-Za-z0-9_] (iam-semantics 6.1).
static bool
key_id_ok(const char *s, size_t n)
{
	bool ok = n >= 16 && n <= 128 && strncmp(s, "AKIA", 4) == 0;
	for (size_t i = 0; ok && i < n; i++)
		ok = is_word(s[i]);
	return ok;
}

// key_one reads one access key object at `w` into k[i].
static bool
key_one(iamci_am *m, const json_t *e, const char *w, iamci_keys *k,
    uint32_t i)
{
	static const char *const known[] = {"accessKeyId", "status", NULL};
	const json_t *id = json_object_get(e, "accessKeyId");
	const json_t *st = json_object_get(e, "status");

	if (!json_is_object(e)) {
		iamci_am_error(m, NULL, w, "an access key is an object "
		    "{\"accessKeyId\": ..., \"status\": ...}");
		return false;
	}
	iamci_am_fields(m, e, w, known);
	if (!json_is_string(id) || !key_id_ok(json_string_value(id),
	    json_string_length(id))) {
		iamci_am_error(m, NULL, iamci_am_key(m, w, "accessKeyId"),
		    "accessKeyId must be \"AKIA\" followed by letters, digits "
		    "and underscores, 16 to 128 characters in all");
		return false;
	}
	const char *s = st ? (json_is_string(st) ? json_string_value(st) :
	    "") : "Active";
	if (strcmp(s, "Active") != 0 && strcmp(s, "Inactive") != 0) {
		iamci_am_error(m, NULL, iamci_am_key(m, w, "status"),
		    "status must be \"Active\" or \"Inactive\"");
		return false;
	}
	// w is the arena's already (iamci_am_where), as the map needs.
	const char *prev = iamci_smap_put(m, &m->keymap,
	    json_string_value(id), (void *) w);
	if (prev != NULL) {
		iamci_am_error(m, NULL, w, "access key \"%s\" is also at %s",
		    json_string_value(id), prev);
		return false;
	}
	k->id[i] = json_string_value(id);
	k->active[i] = strcmp(s, "Active") == 0;
	return true;
}

void
iamci_keys_check(iamci_am *m, const json_t *v, const char *where,
    iamci_keys *k)
{
	memset(k, 0, sizeof(*k));
	if (v == NULL)
		return;
	if (!json_is_array(v)) {
		iamci_am_error(m, NULL, where, "access keys must be an array");
		return;
	}
	size_t n = json_array_size(v);
	if (n > ACCESS_KEYS_MAX)
		iamci_am_error(m, NULL, where, "%zu access keys: IAM allows "
		    "at most %d per user", n, ACCESS_KEYS_MAX);
	k->id = iamci_am_alloc(m, n * sizeof(*k->id));
	k->active = iamci_am_alloc(m, n * sizeof(*k->active));
	if (k->id == NULL || k->active == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		char *w = iamci_am_where(m, "%s[%zu]", where, i);
		if (w != NULL && key_one(m, json_array_get(v, i), w, k, k->n))
			k->n++;
	}
}

// tag_text checks a tag key or value: IAM allows letters, digits, spaces
// and _.:/=+-@ (other Unicode letters pass: we do not judge non-ASCII).
static bool
tag_text(const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char) *s;
		if (ch < 0x80 && !is_word((char) ch) &&
		    strchr(" _.:/=+-@", ch) == NULL)
			return false;
	}
	return true;
}

void
iamci_tags_check(iamci_am *m, const json_t *v, const char *where,
    iamci_tags *t)
{
	const char *key;
	json_t *val;
	iamci_smap seen = {0};

	memset(t, 0, sizeof(*t));
	if (v == NULL)
		return;
	if (!json_is_object(v)) {
		iamci_am_error(m, NULL, where, "tags must be an object of tag "
		    "key to value");
		return;
	}
	size_t n = json_object_size(v);
	if (n > TAGS_MAX)
		iamci_am_error(m, NULL, where, "%zu tags: an IAM user or role "
		    "may have at most %d", n, TAGS_MAX);
	t->k = iamci_am_alloc(m, n * sizeof(*t->k));
	t->v = iamci_am_alloc(m, n * sizeof(*t->v));
	if (t->k == NULL || t->v == NULL)
		return;
	json_object_foreach((json_t *) v, key, val) {
		char *w = iamci_am_key(m, where, key);
		size_t kn = chars(key);
		bool ok = true;
		if (w == NULL)
			break;
		if (kn == 0 || kn > TAG_KEY_MAX || !tag_text(key)) {
			iamci_am_error(m, NULL, w, "invalid tag key: 1 to %d "
			    "letters, digits, spaces and _.:/=+-@",
			    TAG_KEY_MAX);
			ok = false;
		} else if (strncasecmp(key, "aws:", 4) == 0) {
			iamci_am_error(m, NULL, w, "tag keys beginning with "
			    "\"aws:\" are reserved for AWS");
			ok = false;
		}
		if (!json_is_string(val)) {
			iamci_am_error(m, NULL, w, "a tag value must be a "
			    "string");
			continue;
		}
		if (chars(json_string_value(val)) > TAG_VALUE_MAX ||
		    !tag_text(json_string_value(val))) {
			iamci_am_error(m, NULL, w,
			    "invalid tag value: at most "
			    "%d letters, digits, spaces and _.:/=+-@",
			    TAG_VALUE_MAX);
			ok = false;
		}
		// aws:PrincipalTag/<key> is matched ignoring case, so two
		// keys that differ only in case could not be told apart.
		char *f = iamci_am_fold(m, key);
		const char *prev = f ? iamci_smap_put(m, &seen, f,
		    (void *) key) : NULL;
		if (prev != NULL) {
			iamci_am_error(m, NULL, w,
			    "tag key \"%s\" differs from "
			    "\"%s\" only in case", key, prev);
			ok = false;
		}
		if (!ok)
			continue;
		t->k[t->n] = key;
		t->v[t->n] = json_string_value(val);
		t->n++;
	}
	iamci_smap_fini(&seen);
}

const char *
iamci_account_id_check(iamci_am *m, const json_t *v, const char *where)
{
	if (!json_is_string(v)) {
		iamci_am_error(m, NULL, where, v == NULL ? "missing account "
		    "id" : "an account id must be a string of 12 digits");
		return NULL;
	}
	const char *s = json_string_value(v);
	bool ok = json_string_length(v) == 12;
	for (size_t i = 0; ok && i < 12; i++)
		ok = s[i] >= '0' && s[i] <= '9';
	if (!ok) {
		iamci_am_error(m, NULL, where, "invalid account id \"%s\": "
		    "an account id is 12 digits", s);
		return NULL;
	}
	return s;
}
