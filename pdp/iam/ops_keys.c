// ops_keys.c - access keys: CreateAccessKey, ListAccessKeys,
// UpdateAccessKey, DeleteAccessKey, GetAccessKeyLastUsed. A secret is
// shown once, in CreateAccessKey's answer; the store keeps it sealed
// with AES-256-GCM under the store key (the key id is the additional
// data, so a sealed secret cannot be moved to another key id), never in
// the clear, and it is never logged.

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "mfa.h"

#define SEALED_LEN (IAMSI_SECRET_LEN + IAMSI_SEAL_OVERHEAD)

// seal encrypts the secret (mfa.h's sealing, the key id as additional
// data); false when OpenSSL fails.
static bool
seal(const uint8_t key[IAMS_KEY_LEN], const char *key_id,
    const char *secret, uint8_t out[SEALED_LEN])
{
	return iamsi_seal(key, key_id, (const uint8_t *) secret, IAMSI_SECRET_LEN,
	    out);
}

bool
iamsi_key_open(const uint8_t key[IAMS_KEY_LEN], const char *key_id,
    const uint8_t *sealed, size_t len, char *out)
{
	bool ok = len == SEALED_LEN && iamsi_unseal(key, key_id, sealed, len,
	    (uint8_t *) out);

	out[ok ? IAMSI_SECRET_LEN : 0] = '\0';
	return ok;
}

static int
count_k(void *arg, const iams_key *k)
{
	(void) k;
	(*(uint32_t *) arg)++;
	return PDP_OK;
}

static const char *
user_name(iamsi_ctx *c, const iams_entity *e)
{
	return e->kind == IAMS_ROOT ? c->account : e->name;
}

static int
create_access_key(iamsi_ctx *c)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
	    "opqrstuvwxyz0123456789+/";
	char id[32], secret[IAMSI_SECRET_LEN + 1];
	uint8_t rnd[IAMSI_SECRET_LEN], sealed[SEALED_LEN];
	iams_entity e;
	iams_key k;
	uint32_t n = 0;
	int rv;

	if (!iamsi_self_or_named(c, "iam:CreateAccessKey", &e))
		return PDP_EINVAL;
	// Root's own keys are root's to manage (iam-semantics 14).
	if (e.kind == IAMS_ROOT && !iamsi_root_only(c, "iam:CreateAccessKey"))
		goto fail;
	if ((rv = iams_store_key_list(c->st, e.eid, count_k, &n)) != PDP_OK) {
		iamsi_store_fail(c, rv, NULL);
		goto fail;
	}
	if (n >= IAMSI_KEYS_PER_USER) {
		iamsi_fail(c, "LimitExceeded", "Cannot exceed quota for "
		    "AccessKeysPerUser: %d", IAMSI_KEYS_PER_USER);
		goto fail;
	}
	if (!c->s->has_key) {
		iamsi_fail(c, "ServiceFailure", "the service has no store "
		    "key to seal secrets with");
		goto fail;
	}
	iamsi_random_id("AKIA", 16, id);
	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		iamsi_fail(c, "ServiceFailure", "no randomness");
		goto fail;
	}
	for (size_t i = 0; i < IAMSI_SECRET_LEN; i++)
		secret[i] = b64[rnd[i] & 63];
	secret[IAMSI_SECRET_LEN] = '\0';
	if (!seal(c->s->key, id, secret, sealed)) {
		iamsi_fail(c, "ServiceFailure", "sealing the secret failed");
		goto fail;
	}
	memset(&k, 0, sizeof(k));
	k.key_id = id;
	k.eid = e.eid;
	k.active = true;
	k.secret = sealed;
	k.secret_len = sizeof(sealed);
	k.created = c->now;
	if ((rv = iams_store_key_insert(c->st, &k)) != PDP_OK) {
		iamsi_store_fail(c, rv, NULL);
		goto fail;
	}
	c->changed = true;
	json_object_set_new(c->resp, "AccessKey", json_pack("{s:s, s:s, "
	    "s:s, s:s, s:o}", "UserName", user_name(c, &e), "AccessKeyId", id,
	    "Status", "Active", "SecretAccessKey", secret, "CreateDate",
	    iamsi_date(c->now)));
	// The only copy in the clear goes out in the answer.
	memset(secret, 0, sizeof(secret));
	memset(rnd, 0, sizeof(rnd));
	iams_entity_fini(&e);
	return PDP_OK;
fail:
	iams_entity_fini(&e);
	return PDP_EINVAL;
}

typedef struct klister {
	iamsi_ctx *c;
	const iams_entity *e;
	json_t *arr;
} klister;

static int
key_one(void *arg, const iams_key *k)
{
	klister *l = arg;

	return json_array_append_new(l->arr, json_pack("{s:s, s:s, s:s, s:o}",
	    "UserName", user_name(l->c, l->e), "AccessKeyId", k->key_id,
	    "Status", k->active ? "Active" : "Inactive", "CreateDate",
	    iamsi_date(k->created))) ? PDP_ENOMEM : PDP_OK;
}

static int
list_access_keys(iamsi_ctx *c)
{
	iams_entity e;
	klister l = {.c = c, .e = &e};
	int rv;

	if (!iamsi_self_or_named(c, "iam:ListAccessKeys", &e))
		return PDP_EINVAL;
	l.arr = json_array();
	json_object_set_new(c->resp, "AccessKeyMetadata", l.arr);
	json_object_set_new(c->resp, "IsTruncated", json_false());
	rv = iams_store_key_list(c->st, e.eid, key_one, &l);
	iams_entity_fini(&e);
	return rv == PDP_OK ? PDP_OK : iamsi_store_fail(c, rv, NULL);
}

// find_key resolves AccessKeyId for the user (or caller) and checks the
// key is theirs.
static bool
find_key(iamsi_ctx *c, const char *action, iams_entity *e, iams_key *k)
{
	const char *id = iamsi_need(c, "AccessKeyId");
	int rv;

	if (id == NULL)
		return false;
	if (strlen(id) < 16 || strlen(id) > 128) {
		iamsi_fail(c, "ValidationError", "1 validation error "
		    "detected: Value at 'accessKeyId' failed to satisfy "
		    "constraint: Member must have length between 16 and "
		    "128");
		return false;
	}
	if (!iamsi_self_or_named(c, action, e))
		return false;
	if (e->kind == IAMS_ROOT && !iamsi_root_only(c, action)) {
		iams_entity_fini(e);
		return false;
	}
	rv = iams_store_key_get(c->st, id, k);
	if (rv == PDP_OK && k->eid != e->eid) {
		iams_key_fini(k);
		rv = PDP_ENOENT;
	}
	if (rv != PDP_OK) {
		iamsi_store_fail(c, rv, "The Access Key with id cannot be "
		    "found.");
		iams_entity_fini(e);
		return false;
	}
	return true;
}

static int
update_access_key(iamsi_ctx *c)
{
	const char *status = iamsi_need(c, "Status");
	iams_entity e;
	iams_key k;
	int rv;

	if (status == NULL)
		return PDP_EINVAL;
	if (strcmp(status, "Active") != 0 && strcmp(status, "Inactive") != 0)
		return iamsi_fail(c, "ValidationError", "1 validation error "
		    "detected: Value '%s' at 'status' failed to satisfy "
		    "constraint: Member must satisfy enum value set: "
		    "[Active, Inactive]", status);
	if (!find_key(c, "iam:UpdateAccessKey", &e, &k))
		return PDP_EINVAL;
	rv = iams_store_key_set_status(c->st, k.key_id,
	    strcmp(status, "Active") == 0);
	iams_key_fini(&k);
	iams_entity_fini(&e);
	if (rv != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	c->changed = true;
	return PDP_OK;
}

static int
delete_access_key(iamsi_ctx *c)
{
	iams_entity e;
	iams_key k;
	int rv;

	if (!find_key(c, "iam:DeleteAccessKey", &e, &k))
		return PDP_EINVAL;
	rv = iams_store_key_delete(c->st, k.key_id);
	iams_key_fini(&k);
	iams_entity_fini(&e);
	if (rv != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	c->changed = true;
	return PDP_OK;
}

static int
get_access_key_last_used(iamsi_ctx *c)
{
	const char *id = iamsi_need(c, "AccessKeyId");
	iams_entity e;
	iams_key k;
	char arn[1024];
	int rv;

	if (id == NULL)
		return PDP_EINVAL;
	if ((rv = iams_store_key_get(c->st, id, &k)) != PDP_OK) {
		// Authorize on the caller before telling it nothing exists.
		if (!iamsi_authorize(c, "iam:GetAccessKeyLastUsed", c->caller,
		    NULL))
			return PDP_EINVAL;
		return iamsi_store_fail(c, rv, "The Access Key with id "
		    "cannot be found.");
	}
	if ((rv = iams_store_entity_by_eid(c->st, k.eid, &e)) != PDP_OK) {
		iams_key_fini(&k);
		return iamsi_store_fail(c, rv, NULL);
	}
	iamsi_entity_arn(&e, arn, sizeof(arn));
	bool ok = strcmp(e.account, c->account) == 0;
	if (!ok)
		iamsi_fail(c, "AccessDenied", "The access key belongs to "
		    "another account.");
	if (!ok || !iamsi_authorize(c, "iam:GetAccessKeyLastUsed", arn,
	    NULL)) {
		iams_key_fini(&k);
		iams_entity_fini(&e);
		return PDP_EINVAL;
	}
	json_t *lu = json_pack("{s:s, s:s}", "ServiceName",
	    k.last_service ? k.last_service : "N/A", "Region",
	    k.last_region ? k.last_region : "N/A");
	if (k.last_used)
		json_object_set_new(lu, "LastUsedDate",
		    iamsi_date(k.last_used));
	json_object_set_new(c->resp, "UserName",
	    json_string(user_name(c, &e)));
	json_object_set_new(c->resp, "AccessKeyLastUsed", lu);
	iams_key_fini(&k);
	iams_entity_fini(&e);
	return PDP_OK;
}

const iamsi_op iamsi_ops_keys[] = {
	{"CreateAccessKey", create_access_key, true},
	{"ListAccessKeys", list_access_keys, false},
	{"UpdateAccessKey", update_access_key, true},
	{"DeleteAccessKey", delete_access_key, true},
	{"GetAccessKeyLastUsed", get_access_key_last_used, false},
	{NULL, NULL, false},
};
