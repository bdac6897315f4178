// token_test.c - session tokens (pdp/creds/token.c, claims.c) and
// keyrings (keyring.c): round trips, tampering with every character,
// expiry, key rotation, wrong and unknown keys, claim checks, and the
// keyring file.

#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "creds_helpers.h"

START_TEST(test_token_round_trip_keeps_every_claim)
{
	pdp_creds_keyring *kr = th_keyring(1);
	pdp_creds_tag tags[] = {{"Project", "blue"}, {"cost", ""}};
	const char *ttk[] = {"project"};
	const char *arns[] = {"arn:aws:iam::111111111111:policy/A",
	    "arn:aws:iam::aws:policy/ReadOnlyAccess"};
	pdp_creds_claims c = th_role_claims();
	c.tags = tags;
	c.ntags = 2;
	c.transitive = ttk;
	c.ntransitive = 1;
	c.policy_arns = arns;
	c.npolicy_arns = 2;
	c.policy = "{\"Version\":\"2012-10-17\",\"Statement\":[]}";
	c.source_identity = "alice";
	c.chained = true;
	c.mfa = true;
	c.mfa_time = 999;
	char tok[PDP_CREDS_TOKEN_MAX + 1];
	size_t len = 0;
	char err[256];

	ck_assert_int_eq(pdp_creds_seal(kr, &c, tok, sizeof(tok), &len, err,
	    sizeof(err)), PDP_OK);
	ck_assert_uint_eq(len, strlen(tok));
	ck_assert(strncmp(tok, PDP_CREDS_TOKEN_PREFIX,
	    strlen(PDP_CREDS_TOKEN_PREFIX)) == 0);
	// The secret is sealed, not merely encoded.
	ck_assert_ptr_null(strstr(tok, "wJalrXUtnFEMI"));

	pdp_creds_token *t = NULL;
	ck_assert_int_eq(pdp_creds_open(kr, tok, len, 1500, &t, err,
	    sizeof(err)), PDP_OK);
	const pdp_creds_claims *o = pdp_creds_token_claims(t);
	ck_assert_uint_eq(o->version, PDP_CREDS_CLAIMS_VERSION);
	ck_assert_int_eq(o->type, PDP_CREDS_ASSUMED_ROLE);
	ck_assert_str_eq(o->account, c.account);
	ck_assert_str_eq(o->arn, c.arn);
	ck_assert_str_eq(o->policy_arn, c.policy_arn);
	ck_assert_str_eq(o->user_id, c.user_id);
	ck_assert_str_eq(o->access_key_id, c.access_key_id);
	ck_assert_str_eq(o->secret_access_key, c.secret_access_key);
	ck_assert_int_eq(o->issued, 1000);
	ck_assert_int_eq(o->expires, 4600);
	ck_assert(o->mfa);
	ck_assert_int_eq(o->mfa_time, 999);
	ck_assert(o->chained);
	ck_assert_str_eq(o->source_identity, "alice");
	ck_assert_uint_eq(o->ntags, 2);
	ck_assert_str_eq(o->tags[0].key, "Project");
	ck_assert_str_eq(o->tags[0].value, "blue");
	ck_assert_str_eq(o->tags[1].key, "cost");
	ck_assert_str_eq(o->tags[1].value, "");
	ck_assert_uint_eq(o->ntransitive, 1);
	ck_assert_str_eq(o->transitive[0], "project");
	ck_assert_str_eq(o->policy, c.policy);
	ck_assert_uint_eq(o->npolicy_arns, 2);
	ck_assert_str_eq(o->policy_arns[1], arns[1]);
	pdp_creds_token_free(t);

	// Two seals of the same claims differ (fresh nonce), both open.
	char tok2[PDP_CREDS_TOKEN_MAX + 1];
	ck_assert_int_eq(pdp_creds_seal(kr, &c, tok2, sizeof(tok2), NULL,
	    err, sizeof(err)), PDP_OK);
	ck_assert_str_ne(tok, tok2);
	ck_assert_int_eq(pdp_creds_open(kr, tok2, strlen(tok2), 1500, &t,
	    err, sizeof(err)), PDP_OK);
	pdp_creds_token_free(t);
	pdp_creds_keyring_free(kr);
}
END_TEST

START_TEST(test_token_optional_claims_stay_absent)
{
	pdp_creds_keyring *kr = th_keyring(1);
	pdp_creds_claims c = th_user_session_claims(false);
	char tok[PDP_CREDS_TOKEN_MAX + 1];
	pdp_creds_token *t = NULL;

	ck_assert_int_eq(pdp_creds_seal(kr, &c, tok, sizeof(tok), NULL, NULL,
	    0), PDP_OK);
	ck_assert_int_eq(pdp_creds_open(kr, tok, strlen(tok), 1000, &t, NULL,
	    0), PDP_OK);
	const pdp_creds_claims *o = pdp_creds_token_claims(t);
	ck_assert_int_eq(o->type, PDP_CREDS_SESSION_TOKEN);
	ck_assert(!o->mfa);
	ck_assert(!o->chained);
	ck_assert_ptr_null(o->source_identity);
	ck_assert_ptr_null(o->policy);
	ck_assert_uint_eq(o->ntags, 0);
	ck_assert_uint_eq(o->npolicy_arns, 0);
	pdp_creds_token_free(t);
	pdp_creds_keyring_free(kr);
}
END_TEST

// Every character of the token, changed to any other character, makes
// the token unusable; so does every truncation.
START_TEST(test_token_tampering_with_any_character_is_refused)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijk"
	    "lmnopqrstuvwxyz0123456789+/=.";
	pdp_creds_keyring *kr = th_keyring(7);
	pdp_creds_claims c = th_role_claims();
	char tok[PDP_CREDS_TOKEN_MAX + 1], bad[PDP_CREDS_TOKEN_MAX + 1];
	size_t len = 0, head = strlen(PDP_CREDS_TOKEN_PREFIX);
	pdp_creds_token *t = NULL;
	unsigned tried = 0;

	ck_assert_int_eq(pdp_creds_seal(kr, &c, tok, sizeof(tok), &len, NULL,
	    0), PDP_OK);
	for (size_t i = 0; i < len; i++) {
		for (const char *a = alphabet; *a; a++) {
			if (*a == tok[i])
				continue;
			memcpy(bad, tok, len + 1);
			bad[i] = *a;
			t = NULL;
			int rv = pdp_creds_open(kr, bad, len, 1000, &t, NULL,
			    0);
			ck_assert_msg(rv != PDP_OK, "character %zu changed "
			    "to '%c' was accepted", i, *a);
			ck_assert_ptr_null(t);
			// Past the prefix and the key id, any change is
			// corruption (or a wrong key check value).
			if (i >= head + 8)
				ck_assert_msg(rv == PDP_ECORRUPT ||
				    rv == PDP_EWRONGKEY, "char %zu: %d", i,
				    rv);
			tried++;
		}
	}
	ck_assert_uint_gt(tried, len * 60);
	for (size_t n = 0; n < len; n++)
		ck_assert_int_ne(pdp_creds_open(kr, tok, n, 1000, &t, NULL, 0),
		    PDP_OK);
	// Whitespace and trailing bytes are not ignored either.
	memcpy(bad, tok, len);
	bad[len] = '\n';
	ck_assert_int_ne(pdp_creds_open(kr, bad, len + 1, 1000, &t, NULL, 0),
	    PDP_OK);
	ck_assert_int_eq(pdp_creds_open(kr, tok, len, 1000, &t, NULL, 0),
	    PDP_OK);
	pdp_creds_token_free(t);
	pdp_creds_keyring_free(kr);
}
END_TEST

START_TEST(test_token_expires_at_its_expiry_second)
{
	pdp_creds_keyring *kr = th_keyring(1);
	pdp_creds_claims c = th_role_claims(); // expires 4600
	char tok[PDP_CREDS_TOKEN_MAX + 1], err[128];
	pdp_creds_token *t = NULL;

	ck_assert_int_eq(pdp_creds_seal(kr, &c, tok, sizeof(tok), NULL, NULL,
	    0), PDP_OK);
	ck_assert_int_eq(pdp_creds_open(kr, tok, strlen(tok), 4599, &t, NULL,
	    0), PDP_OK);
	pdp_creds_token_free(t);
	t = NULL;
	ck_assert_int_eq(pdp_creds_open(kr, tok, strlen(tok), 4600, &t, err,
	    sizeof(err)), PDP_EEXPIRED);
	ck_assert_ptr_null(t);
	ck_assert_ptr_nonnull(strstr(err, "expired"));
	ck_assert_int_eq(pdp_creds_open(kr, tok, strlen(tok), 99999, &t, NULL,
	    0), PDP_EEXPIRED);
	pdp_creds_keyring_free(kr);
}
END_TEST

START_TEST(test_token_rotation_old_keys_open_new_key_seals)
{
	pdp_creds_keyring *kr = th_keyring(1);
	pdp_creds_claims c = th_role_claims();
	char old[PDP_CREDS_TOKEN_MAX + 1], cur[PDP_CREDS_TOKEN_MAX + 1];
	pdp_creds_token *t = NULL;
	uint32_t id = 0;

	ck_assert_int_eq(pdp_creds_seal(kr, &c, old, sizeof(old), NULL, NULL,
	    0), PDP_OK);
	ck_assert_int_eq(pdp_creds_keyring_generate(kr, &id), PDP_OK);
	ck_assert_uint_eq(id, 2);
	ck_assert_uint_eq(pdp_creds_keyring_signer(kr), 2);
	ck_assert_uint_eq(pdp_creds_keyring_count(kr), 2);
	ck_assert_int_eq(pdp_creds_seal(kr, &c, cur, sizeof(cur), NULL, NULL,
	    0), PDP_OK);
	ck_assert_uint_eq(th_token_key_id(cur), 2);
	ck_assert_uint_eq(th_token_key_id(old), 1);
	// The old key still opens what it sealed.
	ck_assert_int_eq(pdp_creds_open(kr, old, strlen(old), 1000, &t, NULL,
	    0), PDP_OK);
	pdp_creds_token_free(t);
	// A PDP that has only the old key does not know the new one.
	pdp_creds_keyring *only1 = th_keyring(1);
	ck_assert_int_eq(pdp_creds_open(only1, cur, strlen(cur), 1000, &t,
	    NULL, 0), PDP_EUNKNOWNKEY);
	pdp_creds_keyring_free(only1);
	// Removing the old key retires its tokens.
	ck_assert_int_eq(pdp_creds_keyring_remove(kr, 1), PDP_OK);
	ck_assert_int_eq(pdp_creds_keyring_remove(kr, 1), PDP_ENOENT);
	char err[128];
	ck_assert_int_eq(pdp_creds_open(kr, old, strlen(old), 1000, &t, err,
	    sizeof(err)), PDP_EUNKNOWNKEY);
	ck_assert_ptr_nonnull(strstr(err, "key 1"));
	ck_assert_int_eq(pdp_creds_open(kr, cur, strlen(cur), 1000, &t, NULL,
	    0), PDP_OK);
	pdp_creds_token_free(t);
	pdp_creds_keyring_free(kr);
}
END_TEST

START_TEST(test_token_wrong_key_with_same_id_is_its_own_error)
{
	pdp_creds_keyring *a = th_keyring(3), *b = NULL;
	uint8_t other[PDP_CREDS_KEY_BYTES];
	pdp_creds_claims c = th_role_claims();
	char tok[PDP_CREDS_TOKEN_MAX + 1];
	pdp_creds_token *t = NULL;

	memset(other, 0x5a, sizeof(other));
	ck_assert_int_eq(pdp_creds_keyring_alloc(&b), PDP_OK);
	ck_assert_int_eq(pdp_creds_keyring_add(b, 3, other), PDP_OK);
	ck_assert_int_eq(pdp_creds_seal(a, &c, tok, sizeof(tok), NULL, NULL,
	    0), PDP_OK);
	ck_assert_int_eq(pdp_creds_open(b, tok, strlen(tok), 1000, &t, NULL,
	    0), PDP_EWRONGKEY);
	ck_assert_ptr_null(t);
	pdp_creds_keyring_free(a);
	pdp_creds_keyring_free(b);
}
END_TEST

START_TEST(test_token_seal_checks_claims)
{
	pdp_creds_keyring *kr = th_keyring(1), *empty = NULL;
	char tok[PDP_CREDS_TOKEN_MAX + 1], err[256];
	pdp_creds_claims c;
	pdp_creds_tag dup[] = {{"Team", "a"}, {"team", "b"}};
	pdp_creds_tag one[] = {{"Team", "a"}};
	const char *ttk[] = {"Project"};

#define REFUSED(rv, mutate, word) do { \
	c = th_role_claims(); \
	mutate; \
	err[0] = '\0'; \
	ck_assert_int_eq(pdp_creds_seal(kr, &c, tok, sizeof(tok), NULL, err, \
	    sizeof(err)), rv); \
	ck_assert_msg(strstr(err, word) != NULL, "%s", err); \
} while (0)
	REFUSED(PDP_EINVAL, c.arn = NULL, "arn");
	REFUSED(PDP_EINVAL, c.account = "12345", "account");
	REFUSED(PDP_EINVAL, c.access_key_id = "AKIAIOSFODNN7EXAMPLE",
	    "access_key_id");
	REFUSED(PDP_EINVAL, c.access_key_id = "ASIA-short", "access_key_id");
	REFUSED(PDP_EINVAL, c.expires = c.issued, "times");
	REFUSED(PDP_EINVAL, c.arn =
	    "arn:aws:sts::222222222222:assumed-role/R/s", "ARNs");
	REFUSED(PDP_EINVAL, c.type = PDP_CREDS_FEDERATED_USER, "ARNs");
	REFUSED(PDP_EINVAL, (c.tags = dup, c.ntags = 2), "duplicate");
	REFUSED(PDP_EINVAL, (c.tags = one, c.ntags = 1, c.transitive = ttk,
	    c.ntransitive = 1), "transitive");
	REFUSED(PDP_ETOOBIG, c.ntags = PDP_CREDS_TAGS_MAX + 1, "50");
	REFUSED(PDP_ETOOBIG, c.npolicy_arns = 11, "managed");
#undef REFUSED
	c = th_user_session_claims(false);
	c.tags = one;
	c.ntags = 1;
	ck_assert_int_eq(pdp_creds_seal(kr, &c, tok, sizeof(tok), NULL, err,
	    sizeof(err)), PDP_EINVAL);
	// An empty keyring cannot seal; a short buffer is refused whole.
	c = th_role_claims();
	ck_assert_int_eq(pdp_creds_keyring_alloc(&empty), PDP_OK);
	ck_assert_int_eq(pdp_creds_seal(empty, &c, tok, sizeof(tok), NULL,
	    NULL, 0), PDP_ENOENT);
	ck_assert_int_eq(pdp_creds_seal(kr, &c, tok, 64, NULL, NULL, 0),
	    PDP_ETOOBIG);
	pdp_creds_keyring_free(empty);
	pdp_creds_keyring_free(kr);
}
END_TEST

START_TEST(test_token_open_refuses_what_is_no_token)
{
	pdp_creds_keyring *kr = th_keyring(1);
	pdp_creds_token *t = NULL;
	const char *bad[] = {"", "pdpst1.", "pdpst1.AAAA", "IQoJb3JpZ2luX2Vj",
	    "pdpst1.!!!!", "pdpst2.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(pdp_creds_open(kr, bad[i], strlen(bad[i]),
		    0, &t, NULL, 0), PDP_ECORRUPT);
	ck_assert_int_eq(pdp_creds_open(kr, NULL, 0, 0, &t, NULL, 0),
	    PDP_ECORRUPT);
	pdp_creds_keyring_free(kr);
}
END_TEST

START_TEST(test_keyring_file_round_trip_and_private_mode)
{
	char dir[] = "/tmp/creds_test_XXXXXX", path[128], err[256];
	pdp_creds_keyring *kr = th_keyring(5), *back = NULL;
	pdp_creds_claims c = th_role_claims();
	char tok[PDP_CREDS_TOKEN_MAX + 1];
	pdp_creds_token *t = NULL;
	struct stat st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/keys", dir);
	ck_assert_int_eq(pdp_creds_keyring_generate(kr, NULL), PDP_OK);
	ck_assert_int_eq(pdp_creds_keyring_save(kr, path, err, sizeof(err)),
	    PDP_OK);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(pdp_creds_keyring_load(path, &back, err, sizeof(err)),
	    PDP_OK);
	ck_assert_uint_eq(pdp_creds_keyring_count(back), 2);
	ck_assert_uint_eq(pdp_creds_keyring_id(back, 0), 5);
	ck_assert_uint_eq(pdp_creds_keyring_id(back, 1), 6);
	ck_assert_uint_eq(pdp_creds_keyring_signer(back), 6);
	// What one seals the other opens: the same keys.
	ck_assert_int_eq(pdp_creds_seal(kr, &c, tok, sizeof(tok), NULL, NULL,
	    0), PDP_OK);
	ck_assert_int_eq(pdp_creds_open(back, tok, strlen(tok), 1000, &t,
	    NULL, 0), PDP_OK);
	pdp_creds_token_free(t);
	pdp_creds_keyring_free(back);
	back = NULL;

	// Readable by others: refused, without quoting a key.
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(pdp_creds_keyring_load(path, &back, err, sizeof(err)),
	    PDP_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "600"));
	ck_assert_ptr_null(back);
	unlink(path);
	rmdir(dir);
	pdp_creds_keyring_free(kr);
}
END_TEST

// load_text writes `text` as a 0600 keyring file and loads it.
static int
load_text(const char *text, char *err, size_t errlen)
{
	char path[] = "/tmp/creds_keyring_XXXXXX";
	int fd = mkstemp(path);
	pdp_creds_keyring *kr = NULL;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (int) strlen(text));
	close(fd);
	int rv = pdp_creds_keyring_load(path, &kr, err, errlen);
	unlink(path);
	pdp_creds_keyring_free(kr);
	return rv;
}

START_TEST(test_keyring_file_errors_name_the_line)
{
	static const char key[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
	char text[512], err[256];

	snprintf(text, sizeof(text), "# c\npdp-keyring 1\n\nkey 1 %s\n", key);
	ck_assert_int_eq(load_text(text, err, sizeof(err)), PDP_OK);
	snprintf(text, sizeof(text), "pdp-keyring 2\nkey 1 %s\n", key);
	ck_assert_int_eq(load_text(text, err, sizeof(err)), PDP_EVERSION);
	snprintf(text, sizeof(text), "key 1 %s\n", key);
	ck_assert_int_eq(load_text(text, err, sizeof(err)), PDP_ECORRUPT);
	snprintf(text, sizeof(text), "pdp-keyring 1\nkey 1 %s\nkey 1 %s\n",
	    key, key);
	ck_assert_int_eq(load_text(text, err, sizeof(err)), PDP_ECORRUPT);
	ck_assert_ptr_nonnull(strstr(err, "line 3"));
	ck_assert_ptr_nonnull(strstr(err, "twice"));
	ck_assert_int_eq(load_text("pdp-keyring 1\nkey 0 AAAA\n", err,
	    sizeof(err)), PDP_ECORRUPT);
	ck_assert_int_eq(load_text("pdp-keyring 1\nkey 1 AAAA\n", err,
	    sizeof(err)), PDP_ECORRUPT);
	ck_assert_ptr_null(strstr(err, "AAAA"));
	ck_assert_int_eq(load_text("pdp-keyring 1\n", err, sizeof(err)),
	    PDP_ECORRUPT);
	ck_assert_int_eq(pdp_creds_keyring_load("/nonexistent/keys", NULL,
	    err, sizeof(err)), PDP_EIO);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("creds_token");
	TCase *tc = tcase_create("token");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_token_round_trip_keeps_every_claim);
	tcase_add_test(tc, test_token_optional_claims_stay_absent);
	tcase_add_test(tc, test_token_tampering_with_any_character_is_refused);
	tcase_add_test(tc, test_token_expires_at_its_expiry_second);
	tcase_add_test(tc, test_token_rotation_old_keys_open_new_key_seals);
	tcase_add_test(tc, test_token_wrong_key_with_same_id_is_its_own_error);
	tcase_add_test(tc, test_token_seal_checks_claims);
	tcase_add_test(tc, test_token_open_refuses_what_is_no_token);
	tcase_add_test(tc, test_keyring_file_round_trip_and_private_mode);
	tcase_add_test(tc, test_keyring_file_errors_name_the_line);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return pdp_run_suite(suite());
}
