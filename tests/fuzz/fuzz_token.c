// fuzz_token.c - libFuzzer target for session tokens (pdp/creds/token.c,
// claims.c). The first byte picks a layer:
//   0  the rest is token text, opened with a fixed keyring: prefix,
//      base64, header, key lookup, GCM;
//   1  the rest is the plaintext of claims, read as the token reader
//      does after authentication (msgpack, every claim's checks); claims
//      that read are sealed again and must open to the same claims.
// Random text almost never passes GCM, so layer 1 reaches what lies
// behind it. ASan and UBSan turn any memory error into a crash; a broken
// round trip aborts. Seeds (tests/fuzz/seeds/token/) are written by
// tests/creds/token_test.c with PDP_WRITE_SEEDS set.

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "creds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_or_die(int ok)
{
	if (!ok)
		abort();
}

static pdp_creds_keyring *
keyring(void)
{
	static pdp_creds_keyring *kr;
	uint8_t key[PDP_CREDS_KEY_BYTES];

	if (kr == NULL) {
		for (int i = 0; i < PDP_CREDS_KEY_BYTES; i++)
			key[i] = (uint8_t) (31 + i); // th_keyring(1)
		check_or_die(pdp_creds_keyring_alloc(&kr) == PDP_OK &&
		    pdp_creds_keyring_add(kr, 1, key) == PDP_OK);
	}
	return kr;
}

static bool
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL &&
	    strcmp(a, b) == 0);
}

// same_claims compares what a round trip must keep.
static bool
same_claims(const pdp_creds_claims *a, const pdp_creds_claims *b)
{
	bool ok = a->type == b->type && same(a->account, b->account) &&
	    same(a->arn, b->arn) && same(a->policy_arn, b->policy_arn) &&
	    same(a->user_id, b->user_id) &&
	    same(a->access_key_id, b->access_key_id) &&
	    same(a->secret_access_key, b->secret_access_key) &&
	    a->issued == b->issued && a->expires == b->expires &&
	    a->mfa == b->mfa && (!a->mfa || a->mfa_time == b->mfa_time) &&
	    a->chained == b->chained &&
	    same(a->source_identity, b->source_identity) &&
	    same(a->policy, b->policy) && a->ntags == b->ntags &&
	    a->ntransitive == b->ntransitive &&
	    a->npolicy_arns == b->npolicy_arns;
	for (uint32_t i = 0; ok && i < a->ntags; i++)
		ok = same(a->tags[i].key, b->tags[i].key) &&
		    same(a->tags[i].value, b->tags[i].value);
	for (uint32_t i = 0; ok && i < a->ntransitive; i++)
		ok = same(a->transitive[i], b->transitive[i]);
	for (uint32_t i = 0; ok && i < a->npolicy_arns; i++)
		ok = same(a->policy_arns[i], b->policy_arns[i]);
	return ok;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char tok[PDP_CREDS_TOKEN_MAX + 1];
	pdp_creds_token *t = NULL, *back = NULL;
	char err[256];

	if (size < 1)
		return 0;
	if (data[0] == 0) {
		int rv = pdp_creds_open(keyring(), (const char *) data + 1,
		    size - 1, 0, &t, err, sizeof(err));
		check_or_die((rv == PDP_OK) == (t != NULL));
		pdp_creds_token_free(t);
		return 0;
	}
	if (pdpci_claims_unpack((const char *) data + 1, size - 1, &t, err,
	    sizeof(err)) != PDP_OK)
		return 0;
	const pdp_creds_claims *c = pdp_creds_token_claims(t);
	size_t len = 0;
	int rv = pdp_creds_seal(keyring(), c, tok, sizeof(tok), &len, err,
	    sizeof(err));
	// Claims that read are claims that seal, unless the token would
	// be too long.
	check_or_die(rv == PDP_OK || rv == PDP_ETOOBIG);
	if (rv == PDP_OK) {
		check_or_die(pdp_creds_open(keyring(), tok, len, c->issued,
		    &back, err, sizeof(err)) == PDP_OK);
		check_or_die(same_claims(c, pdp_creds_token_claims(back)));
		pdp_creds_token_free(back);
	}
	pdp_creds_token_free(t);
	return 0;
}
