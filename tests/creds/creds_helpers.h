// creds_helpers.h - keyrings and claims shared by the credentials tests.

#ifndef TESTS_CREDS_HELPERS_H
#define TESTS_CREDS_HELPERS_H

#include <check.h>
#include <string.h>

#include <openssl/evp.h>

#include "pdp_creds.h"

// th_keyring returns a keyring with one key of id `id`, whose bytes
// derive from the id (so two keyrings made alike hold the same key).
static inline pdp_creds_keyring *
th_keyring(uint32_t id)
{
	pdp_creds_keyring *kr = NULL;
	uint8_t key[PDP_CREDS_KEY_BYTES];

	for (int i = 0; i < PDP_CREDS_KEY_BYTES; i++)
		key[i] = (uint8_t) (id * 31 + (uint32_t) i);
	ck_assert_int_eq(pdp_creds_keyring_alloc(&kr), PDP_OK);
	ck_assert_int_eq(pdp_creds_keyring_add(kr, id, key), PDP_OK);
	return kr;
}

// th_role_claims: an AssumeRole session of role Dev (path /team/),
// issued at 1000 for an hour.
static inline pdp_creds_claims
th_role_claims(void)
{
	pdp_creds_claims c;

	memset(&c, 0, sizeof(c));
	c.type = PDP_CREDS_ASSUMED_ROLE;
	c.account = "111111111111";
	c.arn = "arn:aws:sts::111111111111:assumed-role/Dev/alice";
	c.policy_arn = "arn:aws:iam::111111111111:role/team/Dev";
	c.user_id = "AROAEXAMPLEROLEID0001:alice";
	c.access_key_id = "ASIAEXAMPLEKEY000001";
	c.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
	c.issued = 1000;
	c.expires = 4600;
	return c;
}

// th_user_session_claims: GetSessionToken credentials of user alice.
static inline pdp_creds_claims
th_user_session_claims(bool mfa)
{
	pdp_creds_claims c = th_role_claims();

	c.type = PDP_CREDS_SESSION_TOKEN;
	c.arn = "arn:aws:iam::111111111111:user/alice";
	c.policy_arn = c.arn;
	c.user_id = "AIDAEXAMPLEUSERID0001";
	c.mfa = mfa;
	c.mfa_time = mfa ? 900 : 0;
	return c;
}

// th_token_key_id reads the key id from a token's clear header.
static inline uint32_t
th_token_key_id(const char *tok)
{
	unsigned char bin[16];
	const char *b64 = tok + strlen(PDP_CREDS_TOKEN_PREFIX);

	ck_assert_int_eq(EVP_DecodeBlock(bin, (const unsigned char *) b64, 12),
	    9);
	return (uint32_t) bin[1] << 24 | (uint32_t) bin[2] << 16 |
	    (uint32_t) bin[3] << 8 | bin[4];
}

#endif // TESTS_CREDS_HELPERS_H
