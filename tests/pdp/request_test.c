// request_test.c - principals, ARNs, actions and derived context keys.

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "pdpb.h"
#include "request.h"
#include "table.h"

static bool
is(pdpi_str s, const char *lit)
{
	return s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0;
}

static bool
who(pdpi_who *w, const char *p, char *buf)
{
	return pdpi_who_parse(w, p, strlen(p), buf, 256);
}

START_TEST(test_who_parses_user_with_path)
{
	char buf[256];
	pdpi_who w;
	ck_assert(who(&w, "arn:aws:iam::111122223333:user/dev/alice", buf));
	ck_assert_int_eq(w.kind, PDPI_WHO_USER);
	ck_assert(is(w.name, "alice"));
	ck_assert(is(w.path, "/dev/"));
	ck_assert(is(w.account, "111122223333"));
}
END_TEST

START_TEST(test_who_parses_role_session_and_builds_role_arn)
{
	char buf[256];
	pdpi_who w;
	ck_assert(who(&w, "arn:aws:sts::111122223333:assumed-role/R/s1", buf));
	ck_assert_int_eq(w.kind, PDPI_WHO_ROLE_SESSION);
	ck_assert(is(w.name, "R"));
	ck_assert(is(w.session, "s1"));
	ck_assert(is(w.role_arn, "arn:aws:iam::111122223333:role/R"));
	ck_assert(!w.service_linked);
	ck_assert(who(&w, "arn:aws:sts::111122223333:assumed-role/"
	    "AWSServiceRoleForECS/x", buf));
	ck_assert(w.service_linked);
}
END_TEST

START_TEST(test_who_parses_root_feduser_service_anonymous)
{
	char buf[256];
	pdpi_who w;
	ck_assert(who(&w, "arn:aws:iam::111122223333:root", buf));
	ck_assert_int_eq(w.kind, PDPI_WHO_ROOT);
	ck_assert(who(&w, "arn:aws:sts::111122223333:federated-user/Jane",
	    buf));
	ck_assert_int_eq(w.kind, PDPI_WHO_FEDUSER);
	ck_assert(is(w.name, "Jane"));
	ck_assert(who(&w, "lambda.amazonaws.com", buf));
	ck_assert_int_eq(w.kind, PDPI_WHO_SERVICE);
	ck_assert(who(&w, "anonymous", buf));
	ck_assert_int_eq(w.kind, PDPI_WHO_ANONYMOUS);
}
END_TEST

START_TEST(test_who_rejects_garbage)
{
	char buf[256];
	pdpi_who w;
	ck_assert(!who(&w, "", buf));
	ck_assert(!who(&w, "alice", buf));
	ck_assert(!who(&w, "arn:aws:iam", buf));
	ck_assert(!who(&w, "arn:aws:sts::111122223333:assumed-role/R", buf));
	ck_assert(!who(&w, "arn:aws:iam::111122223333:user/", buf));
}
END_TEST

START_TEST(test_arn_split_keeps_colons_in_resource_part)
{
	pdpi_str seg[5], rest;
	const char *a = "arn:aws:logs:us-east-1:111122223333:log-group:g:"
	    "log-stream:s";
	ck_assert(pdpi_arn_split(a, strlen(a), seg, &rest));
	ck_assert(is(seg[2], "logs"));
	ck_assert(is(seg[3], "us-east-1"));
	ck_assert(is(rest, "log-group:g:log-stream:s"));
	ck_assert(!pdpi_arn_split("arn:aws:s3", 10, seg, &rest));
	ck_assert(!pdpi_arn_split("urn:a:b:c:d:e", 13, seg, &rest));
}
END_TEST

START_TEST(test_action_is_folded_and_split)
{
	pdpi_req r;
	char buf[64];
	memset(&r, 0, sizeof(r));
	ck_assert(pdpi_req_set_action(&r, "S3:GetObject", 12, buf, 64));
	ck_assert(is(r.svc, "s3"));
	ck_assert(is(r.aname, "getobject"));
	ck_assert(!pdpi_req_set_action(&r, "S3:GetObject", 12, buf, 4));
}
END_TEST

START_TEST(test_resource_account_defaults)
{
	char buf[256];
	pdpi_req r;
	memset(&r, 0, sizeof(r));
	ck_assert(who(&r.who, "arn:aws:iam::111122223333:user/a", buf));
	pdpi_req_set_resource(&r, "arn:aws:s3:::b/k", 16, NULL);
	ck_assert(is(r.resource_account, "111122223333"));
	const char *q = "arn:aws:sqs:us-east-1:444455556666:q";
	pdpi_req_set_resource(&r, q, strlen(q), "");
	ck_assert(is(r.resource_account, "444455556666"));
	pdpi_req_set_resource(&r, "arn:aws:s3:::b/k", 16, "444455556666");
	ck_assert(is(r.resource_account, "444455556666"));
}
END_TEST

START_TEST(test_derive_adds_principal_keys_unless_given)
{
	char buf[256], vbuf[256];
	pdpi_who w;
	pdpi_ckey given[1], out[PDPI_DERIVED_MAX];
	pdpi_str gv = {"bob", 3}, vals[PDPI_DERIVED_MAX];
	pdpi_req r;

	ck_assert(who(&w, "arn:aws:iam::111122223333:user/alice", buf));
	given[0].key.p = "AWS:USERNAME";
	given[0].key.n = 12;
	given[0].multi = false;
	given[0].nvals = 1;
	given[0].vals = &gv;
	uint32_t n = pdpi_req_derive(&w, out, vals, vbuf, 256);
	memset(&r, 0, sizeof(r));
	r.implied = out;
	r.nimplied = n;
	const pdpi_ckey *k = pdpi_ctx_find(&r, (pdpi_str){"aws:principaltype",
	    17});
	ck_assert_ptr_nonnull(k);
	ck_assert(is(k->vals[0], "User"));
	k = pdpi_ctx_find(&r, (pdpi_str){"aws:username", 12});
	ck_assert(is(k->vals[0], "alice"));
	// A key the request gives wins over the derived one.
	r.ctx = given;
	r.nctx = 1;
	k = pdpi_ctx_find(&r, (pdpi_str){"aws:username", 12});
	ck_assert(is(k->vals[0], "bob"));
	k = pdpi_ctx_find(&r, (pdpi_str){"aws:principalarn", 16});
	ck_assert(is(k->vals[0], "arn:aws:iam::111122223333:user/alice"));
}
END_TEST

START_TEST(test_action_hash_and_split_in_one_pass)
{
	// Every length to 40, a colon anywhere or none, capitals anywhere:
	// the one-pass fold, split and hash agree with doing each apart.
	uint64_t x = 99;
	char a[48], buf[48];

	for (int round = 0; round < 20000; round++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		size_t n = 1 + (size_t) (x >> 33) % 40;
		for (size_t i = 0; i < n; i++) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			a[i] = "abcXYZ:*019"[(x >> 40) % 11];
		}
		pdpi_req r;
		ck_assert(pdpi_req_set_action(&r, a, n, buf, sizeof(buf)));
		char want[48];
		for (size_t i = 0; i < n; i++)
			want[i] = (char) (a[i] >= 'A' && a[i] <= 'Z' ? a[i] + 32 :
			    a[i]);
		const char *colon = memchr(a, ':', n);
		size_t k = colon ? (size_t) (colon - a) : 0;
		ck_assert(r.folded.n == n && memcmp(r.folded.p, want, n) == 0);
		ck_assert(r.ahash == pdpi_hash(want, n));
		ck_assert_uint_eq(r.svc.n, k);
		ck_assert_uint_eq(r.aname.n, colon ? n - k - 1 : n);
	}
}
END_TEST

// ref_split is the plain reading of pdpi_arn_split's contract, byte by
// byte: "arn:" and then five colons.
static bool
ref_split(const char *s, size_t n, pdpi_str seg[5], pdpi_str *rest)
{
	size_t start = 0;
	int k = 0;

	if (n < 4 || memcmp(s, "arn:", 4) != 0)
		return false;
	for (size_t i = 0; i < n && k < 5; i++) {
		if (s[i] == ':') {
			seg[k].p = s + start;
			seg[k++].n = (uint32_t) (i - start);
			start = i + 1;
		}
	}
	if (k < 5)
		return false;
	rest->p = s + start;
	rest->n = (uint32_t) (n - start);
	return true;
}

START_TEST(test_arn_split_agrees_with_a_byte_by_byte_reading)
{
	// Every length from 0 to 80 and colons anywhere: the sixteen-byte
	// windows, the last bytes read again and the byte loop all agree.
	uint64_t x = 12345;
	char buf[96];

	for (int round = 0; round < 20000; round++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		size_t n = (size_t) (x >> 33) % 81;
		memset(buf, 'x', sizeof(buf));
		for (size_t i = 0; i < n; i++) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			if ((x >> 40) % 5 == 0)
				buf[i] = ':';
		}
		if (n >= 4 && (round & 1))
			memcpy(buf, "arn:", 4);
		pdpi_str a[5], b[5], ra, rb;
		bool oka = pdpi_arn_split(buf, n, a, &ra);
		bool okb = ref_split(buf, n, b, &rb);
		ck_assert_msg(oka == okb, "round %d: %.*s", round, (int) n,
		    buf);
		if (!oka)
			continue;
		for (int k = 0; k < 5; k++)
			ck_assert(a[k].p == b[k].p && a[k].n == b[k].n);
		ck_assert(ra.p == rb.p && ra.n == rb.n);
	}
}
END_TEST

START_TEST(test_account_ids_are_twelve_digits)
{
	char buf[256];
	pdpi_who w;
	// Only a twelve-digit account makes an IAM identity.
	ck_assert(who(&w, "arn:aws:iam::111122223333:user/a", buf));
	ck_assert_int_eq(w.kind, PDPI_WHO_USER);
	const char *bad[] = {
		"arn:aws:iam::11112222333:user/a",
		"arn:aws:iam::1111222233334:user/a",
		"arn:aws:iam::11112222333a:user/a",
		"arn:aws:iam::/11122223333:user/a",
		"arn:aws:iam:::11122223333:user/a",
		"arn:aws:iam::111122223333 :user/a",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert(who(&w, bad[i], buf));
		ck_assert_msg(w.kind == PDPI_WHO_OTHER, "%s", bad[i]);
	}
}
END_TEST

START_TEST(test_hashes_ignore_case_and_spread)
{
	// Keys equal ignoring case (ASCII, and Latin-1 letters as UTF-8)
	// hash alike: slots are found by hash.
	ck_assert(pdpi_key_hash("aws:SourceIp", 12) ==
	    pdpi_key_hash("AWS:sourceip", 12));
	ck_assert(pdpi_key_hash("a:\xc3\x89t\xc3\xa9", 7) ==
	    pdpi_key_hash("A:\xc3\xa9T\xc3\x89", 7));
	ck_assert(pdpb_principal_hash(PDPB_ROLE, "111122223333", 12,
	    "Deployer", 8) == pdpb_principal_hash(PDPB_ROLE, "111122223333",
	    12, "dEPLOYER", 8));
	ck_assert(pdpb_principal_hash(PDPB_ROLE, "111122223333", 12, "a", 1) !=
	    pdpb_principal_hash(PDPB_USER, "111122223333", 12, "a", 1));
	// Names alike but for a number spread over a table: lookups probe
	// little (a weak mixer once put 100 users in 8 slots of 256).
	int used[3][256];
	memset(used, 0, sizeof(used));
	for (int i = 0; i < 100; i++) {
		char name[32];
		int n = snprintf(name, sizeof(name), "u%06d", i);
		used[0][pdpb_principal_hash(PDPB_USER, "111122223333", 12, name,
		    (size_t) n) & 255] = 1;
		n = snprintf(name, sizeof(name), "ec2:describeinstance%d", i);
		used[1][pdpi_hash(name, (size_t) n) & 255] = 1;
		n = snprintf(name, sizeof(name), "aws:principaltag/t%d", i);
		used[2][pdpi_key_hash(name, (size_t) n) & 255] = 1;
	}
	for (int t = 0; t < 3; t++) {
		int n = 0;
		for (int i = 0; i < 256; i++)
			n += used[t][i];
		ck_assert_msg(n >= 70, "hash %d: 100 keys in %d slots", t, n);
	}
}
END_TEST

// A lazy context over a hand-made key table: the slots of the keys below,
// with the hash of "aws:bbb" given to slot 0 to force a collision.
static const char *const tkeys[] = {"aws:aaa", "aws:username",
    "aws:principaltag/team", "aws:ccc"};

typedef struct lazyfix {
	pdpi_str key[4];
	uint64_t hash[4];
	uint32_t index[16];
	pdpi_keytab t;
	pdpi_lazy lz;
	pdpi_ckey ctx[4];
	pdpi_str vals[8];
	pdpi_req r;
	char buf[256];
	pdpb_prinfo info;
	pdpb_tag tags[2];
} lazyfix;

static void
lazy_setup(lazyfix *f, const pdp_context_entry *ctx, uint32_t n,
    bool collide)
{
	memset(f, 0, sizeof(*f));
	f->t.n = 4;
	f->t.key = f->key;
	f->t.hash = f->hash;
	f->t.index = f->index;
	f->t.mask = 15;
	for (uint32_t i = 0; i < 4; i++) {
		f->key[i].p = tkeys[i];
		f->key[i].n = (uint32_t) strlen(tkeys[i]);
		f->hash[i] = pdpi_key_hash(f->key[i].p, f->key[i].n);
		if (i == 0 && collide)
			f->hash[i] = pdpi_key_hash("aws:bbb", 7);
		uint32_t at = (uint32_t) f->hash[i] & 15;
		while (f->index[at] != 0)
			at = (at + 1) & 15;
		f->index[at] = i + 1;
		f->t.lens[f->key[i].n >> 6] |= 1ull << (f->key[i].n & 63);
	}
	ck_assert(who(&f->r.who, "arn:aws:iam::111122223333:user/alice",
	    f->buf));
	// Strings: the tag's key and value, then the unique id.
	static const char strings[] = "TeamredAIDAEXAMPLE";
	f->tags[0].key = (pdpb_str){0, 4};
	f->tags[0].value = (pdpb_str){4, 3};
	f->info.tags = 0;
	f->info.ntags = 1;
	f->info.unique_id = (pdpb_str){7, 11};
	f->lz.keys = &f->t;
	f->lz.raw = ctx;
	f->lz.ctx = f->ctx;
	f->lz.vals = f->vals;
	f->lz.info = &f->info;
	f->lz.tags = f->tags;
	f->lz.strings = strings;
	f->r.ctx = f->ctx;
	f->r.nctx = n;
	f->r.lz = &f->lz;
}

static pdpi_keyref
ref(uint32_t slot, const char *key)
{
	pdpi_str k = {key, (uint32_t) strlen(key)};
	pdpi_keyref r = {slot, pdpi_key_class(k)};
	return r;
}

static const pdpi_ckey *
key_of(lazyfix *f, uint32_t slot, const char *key)
{
	pdpi_str k = {key, (uint32_t) strlen(key)};
	return pdpi_req_key(&f->r, k, ref(slot, key));
}

START_TEST(test_lazy_context_finds_what_a_search_finds)
{
	static const char *const one[] = {"1"}, *const two[] = {"2"};
	static const char *const bob[] = {"bob"};
	const pdp_context_entry ctx[] = {
		{"AWS:AAA", one, 1, false}, {"aws:aaa", two, 1, false},
		{"aws:UserName", bob, 1, false},
	};
	lazyfix f;

	lazy_setup(&f, ctx, 3, false);
	// The first entry of a key wins, in any case; read twice, the slot
	// answers the same.
	for (int k = 0; k < 2; k++) {
		const pdpi_ckey *c = key_of(&f, 0, "aws:aaa");
		ck_assert_ptr_nonnull(c);
		ck_assert(is(c->vals[0], "1"));
	}
	// A key the caller gives wins over the derived one.
	ck_assert(is(key_of(&f, 1, "aws:username")->vals[0], "bob"));
	// A principal tag, its key in any case.
	const pdpi_ckey *t = key_of(&f, 2, "aws:principaltag/team");
	ck_assert_ptr_nonnull(t);
	ck_assert(is(t->vals[0], "red"));
	ck_assert_ptr_null(key_of(&f, 3, "aws:ccc"));
	ck_assert_ptr_null(key_of(&f, 3, "aws:ccc"));
	// A key without a slot is searched for, with the same answer.
	ck_assert(is(key_of(&f, PDPI_NO_SLOT, "aws:aaa")->vals[0], "1"));
	ck_assert(is(key_of(&f, PDPI_NO_SLOT, "aws:principalarn")->vals[0],
	    "arn:aws:iam::111122223333:user/alice"));
	ck_assert(is(pdpi_req_userid(&f.r), "AIDAEXAMPLE"));
	ck_assert(is(key_of(&f, PDPI_NO_SLOT, "aws:userid")->vals[0],
	    "AIDAEXAMPLE"));
}
END_TEST

START_TEST(test_lazy_context_survives_a_hash_collision)
{
	// "aws:bbb" has the hash of slot 0 ("aws:aaa") and comes first: the
	// slot must still find "aws:aaa", or nothing.
	static const char *const x[] = {"x"}, *const y[] = {"y"};
	const pdp_context_entry ctx[] = {
		{"aws:bbb", x, 1, false}, {"aws:AAA", y, 1, false},
	};
	lazyfix f;

	lazy_setup(&f, ctx, 2, true);
	const pdpi_ckey *c = key_of(&f, 0, "aws:aaa");
	ck_assert_ptr_nonnull(c);
	ck_assert(is(c->vals[0], "y"));
	lazy_setup(&f, ctx, 1, true);
	ck_assert_ptr_null(key_of(&f, 0, "aws:aaa"));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("request");
	TCase *tc = tcase_create("request");
	tcase_add_test(tc, test_who_parses_user_with_path);
	tcase_add_test(tc, test_who_parses_role_session_and_builds_role_arn);
	tcase_add_test(tc, test_who_parses_root_feduser_service_anonymous);
	tcase_add_test(tc, test_who_rejects_garbage);
	tcase_add_test(tc, test_arn_split_keeps_colons_in_resource_part);
	tcase_add_test(tc, test_action_is_folded_and_split);
	tcase_add_test(tc, test_resource_account_defaults);
	tcase_add_test(tc, test_derive_adds_principal_keys_unless_given);
	tcase_add_test(tc, test_arn_split_agrees_with_a_byte_by_byte_reading);
	tcase_add_test(tc, test_action_hash_and_split_in_one_pass);
	tcase_add_test(tc, test_account_ids_are_twelve_digits);
	tcase_add_test(tc, test_hashes_ignore_case_and_spread);
	tcase_add_test(tc, test_lazy_context_finds_what_a_search_finds);
	tcase_add_test(tc, test_lazy_context_survives_a_hash_collision);
	suite_add_tcase(s, tc);
	return pdp_run_suite(s);
}
