// pdpd_test.c - pdpd deciding by credentials: requests that name their
// caller by akid (+ token) in authorize, explain and authorize_batch;
// refused credentials as statuses; keyring rotation through a reload; a
// keyring others may read refused; tokens never in the decision log.

#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "creds_helpers.h"
#include "harness.h"

static th_server srv;
static char keys[256], dlog[256];
static char tok[PDP_CREDS_TOKEN_MAX + 1];

static void
setup(void)
{
	void *data;
	size_t len;

	th_setup(&srv, false);
	th_bundle_data(&data, &len);
	ck_assert_int_eq(th_write_file(srv.bundle, data, len), 0);
	free(data);
	snprintf(keys, sizeof(keys), "%s/sts.keys", srv.dir);
	snprintf(dlog, sizeof(dlog), "%s/decisions.log", srv.dir);
}

static void
teardown(void)
{
	if (srv.pid > 0)
		th_stop(&srv, SIGKILL);
	unlink(keys);
	unlink(dlog);
	th_cleanup(&srv);
}

static void
save_keyring(uint32_t id)
{
	pdp_creds_keyring *kr = th_keyring(id);
	char err[256];

	ck_assert_int_eq(pdp_creds_keyring_save(kr, keys, err, sizeof(err)),
	    PDP_OK);
	pdp_creds_keyring_free(kr);
}

// seal_now seals a session of role Dev issued a minute ago, under the
// keyring made by th_keyring(id).
static const char *
seal_now(uint32_t id, int64_t lifetime)
{
	pdp_creds_keyring *kr = th_keyring(id);
	pdp_creds_claims c = th_role_claims();

	c.issued = (int64_t) time(NULL) - 60;
	c.expires = c.issued + lifetime;
	ck_assert_int_eq(pdp_creds_seal(kr, &c, tok, sizeof(tok), NULL, NULL,
	    0), PDP_OK);
	pdp_creds_keyring_free(kr);
	return tok;
}

static pdpw_reply
ask(pdpc_client *c, const char *akid, const char *token, const char *action,
    const char *resource)
{
	pdpw_authz a = {.akid = akid, .token = token, .action = action,
	    .resource = resource};
	pdpw_reply r;

	ck_assert_int_eq(pdpc_authorize(c, &a, &r), PDPW_OK);
	return r;
}

#define ck_reply(r, st, dec) do { \
	ck_assert_msg((r).status == (st) && (r).result.decision == (dec), \
	    "status %d (%s), decision %d; want %d, %d", (r).status, \
	    (r).error ? (r).error : "", (r).result.decision, (st), (dec)); \
} while (0)

START_TEST(test_pdpd_decides_by_session_and_long_term_keys)
{
	const char *args[] = {"--sts-keys", keys, "--decision-log", dlog,
	    NULL};
	save_keyring(1);
	ck_assert_int_eq(th_start(&srv, args), 0);
	pdpc_client *c = th_client(&srv, 5000);
	const char *asia = th_role_claims().access_key_id;
	pdpw_reply r;

	seal_now(1, 3600);
	r = ask(c, asia, tok, "s3:GetObject", "arn:aws:s3:::data/x");
	ck_reply(r, PDPW_OK, PDPW_ALLOW);
	r = ask(c, asia, tok, "s3:DeleteObject", "arn:aws:s3:::data/x");
	ck_reply(r, PDPW_OK, PDPW_IMPLICIT_DENY);
	r = ask(c, "AKIAALICE00000000001", NULL, "s3:GetObject",
	    "arn:aws:s3:::data/x");
	ck_reply(r, PDPW_OK, PDPW_ALLOW);
	r = ask(c, "AKIAALICE00000000002", NULL, "s3:GetObject",
	    "arn:aws:s3:::data/x");
	ck_reply(r, PDPW_EINACTIVE, PDPW_IMPLICIT_DENY);
	r = ask(c, "AKIAUNKNOWN000000001", NULL, "s3:GetObject", NULL);
	ck_reply(r, PDPW_ENOENT, PDPW_IMPLICIT_DENY);
	r = ask(c, "ASIAEXAMPLEKEY000002", tok, "s3:GetObject", NULL);
	ck_reply(r, PDPW_EINVAL, PDPW_IMPLICIT_DENY);

	// An explanation names the role's policy; a batch mixes callers.
	pdpw_authz a = {.akid = asia, .token = tok, .action = "s3:GetObject",
	    .resource = "arn:aws:s3:::data/x"};
	ck_assert_int_eq(pdpc_explain(c, &a, &r), PDPW_OK);
	ck_reply(r, PDPW_OK, PDPW_ALLOW);
	ck_assert_uint_ge(r.explain.nmatched, 1);
	ck_assert(r.explain.matched[0].policy_len == 20 &&
	    memcmp(r.explain.matched[0].policy, "role/Dev/inline/data", 20)
	    == 0);
	pdpw_authz v[3] = {a, {.principal =
	    "arn:aws:iam::111111111111:user/alice", .action = "s3:GetObject",
	    .resource = "arn:aws:s3:::data/x"}, {.akid = asia,
	    .token = "pdpst1.AAAA", .action = "s3:GetObject"}};
	ck_assert_int_eq(pdpc_batch(c, v, 3, &r), PDPW_OK);
	ck_assert_uint_eq(r.nresults, 3);
	ck_assert_int_eq(r.results[0].decision, PDPW_ALLOW);
	ck_assert_int_eq(r.results[1].decision, PDPW_ALLOW);
	ck_assert_int_eq(r.results[2].status, PDPW_ECORRUPT);
	ck_assert_int_eq(r.results[2].decision, PDPW_IMPLICIT_DENY);

	// Expired.
	seal_now(1, 30);
	r = ask(c, asia, tok, "s3:GetObject", NULL);
	ck_reply(r, PDPW_EEXPIRED, PDPW_IMPLICIT_DENY);
	pdpc_close(c);
	ck_assert_int_eq(th_stop(&srv, SIGTERM), 0);

	// The decision log names key ids, never tokens or secrets.
	FILE *f = fopen(dlog, "r");
	ck_assert_ptr_nonnull(f);
	static char text[1 << 16];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	ck_assert_ptr_nonnull(strstr(text, asia));
	ck_assert_ptr_null(strstr(text, PDP_CREDS_TOKEN_PREFIX));
	ck_assert_ptr_null(strstr(text, th_role_claims().secret_access_key));
}
END_TEST

START_TEST(test_pdpd_rotates_keys_on_reload)
{
	const char *args[] = {"--sts-keys", keys, NULL};
	save_keyring(1);
	ck_assert_int_eq(th_start(&srv, args), 0);
	pdpc_client *c = th_client(&srv, 5000);
	const char *asia = th_role_claims().access_key_id;
	char old[PDP_CREDS_TOKEN_MAX + 1];
	pdpw_reply r;

	snprintf(old, sizeof(old), "%s", seal_now(1, 3600));
	r = ask(c, asia, old, "s3:GetObject", "arn:aws:s3:::data/x");
	ck_reply(r, PDPW_OK, PDPW_ALLOW);
	seal_now(2, 3600);
	r = ask(c, asia, tok, "s3:GetObject", "arn:aws:s3:::data/x");
	ck_reply(r, PDPW_EUNKNOWNKEY, PDPW_IMPLICIT_DENY);

	// Key 2 replaces key 1: new tokens decide, old ones are refused.
	save_keyring(2);
	ck_assert_int_eq(pdpc_reload(c, &r), PDPW_OK);
	ck_assert_int_eq(r.status, PDPW_OK);
	r = ask(c, asia, tok, "s3:GetObject", "arn:aws:s3:::data/x");
	ck_reply(r, PDPW_OK, PDPW_ALLOW);
	r = ask(c, asia, old, "s3:GetObject", "arn:aws:s3:::data/x");
	ck_reply(r, PDPW_EUNKNOWNKEY, PDPW_IMPLICIT_DENY);

	// A keyring others may read refuses the reload; key 2 serves on.
	ck_assert_int_eq(chmod(keys, 0644), 0);
	ck_assert_int_eq(pdpc_reload(c, &r), PDPW_OK);
	ck_assert_int_eq(r.status, PDPW_EINVAL);
	r = ask(c, asia, tok, "s3:GetObject", "arn:aws:s3:::data/x");
	ck_reply(r, PDPW_OK, PDPW_ALLOW);
	pdpc_close(c);
	ck_assert_int_eq(th_stop(&srv, SIGTERM), 0);
}
END_TEST

START_TEST(test_pdpd_without_keyring_refuses_tokens_only)
{
	ck_assert_int_eq(th_start(&srv, NULL), 0);
	pdpc_client *c = th_client(&srv, 5000);
	pdpw_reply r;

	r = ask(c, th_role_claims().access_key_id, seal_now(1, 3600),
	    "s3:GetObject", "arn:aws:s3:::data/x");
	ck_reply(r, PDPW_EUNKNOWNKEY, PDPW_IMPLICIT_DENY);
	r = ask(c, "AKIAALICE00000000001", NULL, "s3:GetObject",
	    "arn:aws:s3:::data/x");
	ck_reply(r, PDPW_OK, PDPW_ALLOW);
	pdpc_close(c);
	ck_assert_int_eq(th_stop(&srv, SIGTERM), 0);

	// A keyring that does not load stops pdpd from starting.
	save_keyring(1);
	ck_assert_int_eq(chmod(keys, 0640), 0);
	const char *args[] = {"--sts-keys", keys, NULL};
	ck_assert_int_eq(th_start(&srv, args), -1);
	char *log = th_log(&srv);
	ck_assert_ptr_nonnull(strstr(log, "chmod 600"));
	free(log);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("creds_pdpd");
	TCase *tc = tcase_create("pdpd");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_pdpd_decides_by_session_and_long_term_keys);
	tcase_add_test(tc, test_pdpd_rotates_keys_on_reload);
	tcase_add_test(tc, test_pdpd_without_keyring_refuses_tokens_only);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return pdp_run_suite(suite());
}
