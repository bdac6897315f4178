// plugins_test.c - pdpd with Lua plugins: a custom condition key computed
// by the server's plugin, a tag rule refusing a request with the rule
// named, the counters in `stats`, and a broken plugin refusing a reload
// while the old plugins and bundle keep serving.

#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "harness.h"
#include "iamc_bundle.h"
#include "iamc_plugins.h"

static th_server srv;
static char plugdir[256];

// A plugin computing t:Tier from the caller, and the example tag rules.
static const char tier_json[] =
    "{\"name\": \"tier\", \"keys\": {\"t:Tier\": \"String\"}}\n";
static const char tier_lua[] =
    "return { keys = { ['t:Tier'] = function(req)\n"
    "  if req.principal:find('user/alice', 1, true) then return 'gold' end\n"
    "  return 'bronze'\n"
    "end } }\n";

static const char policy[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":["
    "{\"Sid\":\"GoldReads\",\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
    "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":"
    "{\"t:Tier\":\"gold\"}}},"
    "{\"Sid\":\"Writes\",\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\","
    "\"Resource\":\"*\"}]}";

static void
write_text(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq(th_write_file(path, text, strlen(text)), 0);
}

static void
copy_example(const char *name)
{
	char src[512];
	snprintf(src, sizeof(src), PDP_SOURCE_DIR "/plugins/examples/%s",
	    name);
	FILE *f = fopen(src, "rb");
	ck_assert_ptr_nonnull(f);
	char buf[16384];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	write_text(plugdir, name, buf);
}

// make_bundle compiles the policy with the directory's plugin keys (so
// that t:Tier is marked as the plugin's) for alice and bob.
static void
make_bundle(void)
{
	iamc_plugin_keys *keys;
	iamc_builder *b;
	const pdpi_policy *p;
	iamc_diags d;
	char err[256];
	uint32_t set;
	void *data;
	size_t len;

	ck_assert_int_eq(iamc_plugin_keys_open(plugdir, &keys, err,
	    sizeof(err)), PDP_OK);
	ck_assert_int_eq(iamc_builder_open(&b), PDP_OK);
	iamc_diags_init(&d);
	ck_assert_int_eq(iamc_policy_compile_text_ex(iamc_builder_arena(b),
	    policy, strlen(policy), PDP_POLICY_IDENTITY, "TierPolicy",
	    iamc_plugin_keys_options(keys), &p, &d), PDP_OK);
	ck_assert(p->stmts[0].conds[0].custom);
	iamc_diags_fini(&d);
	ck_assert_int_eq(iamc_builder_set(b, &p, 1, true, &set), PDP_OK);
	ck_assert_int_eq(iamc_builder_account(b, TH_ACCOUNT, NULL, 0, NULL,
	    0), PDP_OK);
	const char *users[] = {"alice", "bob"};
	for (int i = 0; i < 2; i++) {
		iamc_principal_spec u;
		memset(&u, 0, sizeof(u));
		u.kind = PDPB_USER;
		u.account = TH_ACCOUNT;
		u.name = users[i];
		u.identity = set;
		u.boundary = PDPB_NONE;
		ck_assert_int_eq(iamc_builder_principal(b, &u), PDP_OK);
	}
	ck_assert_int_eq(iamc_builder_write(b, 7, &data, &len), PDP_OK);
	ck_assert_int_eq(th_write_file(srv.bundle, data, len), 0);
	free(data);
	iamc_builder_close(b);
	iamc_plugin_keys_close(keys);
}

static void
setup(void)
{
	th_setup(&srv, false);
	snprintf(plugdir, sizeof(plugdir), "%s/plugins", srv.dir);
	ck_assert_int_eq(mkdir(plugdir, 0700), 0);
	write_text(plugdir, "tier.json", tier_json);
	write_text(plugdir, "tier.lua", tier_lua);
	copy_example("tag_policy.json");
	copy_example("tag_policy.lua");
	make_bundle();
	const char *args[] = {"--plugins", plugdir, NULL};
	ck_assert_int_eq(th_start(&srv, args), 0);
}

static void
teardown(void)
{
	char path[512];
	const char *files[] = {"tier.json", "tier.lua", "tag_policy.json",
	    "tag_policy.lua"};

	th_stop(&srv, SIGTERM);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", plugdir, files[i]);
		unlink(path);
	}
	rmdir(plugdir);
	th_cleanup(&srv);
}

static int
decide(pdpc_client *c, const char *who, const char *action,
    const pdpw_ctx *ctx, uint32_t n, pdpw_reply *r)
{
	pdpw_authz a = th_authz(who, action, "arn:aws:s3:::b/k");
	a.context = ctx;
	a.ncontext = n;
	ck_assert_int_eq(pdpc_authorize(c, &a, r), PDPW_OK);
	return r->result.decision;
}

START_TEST(test_pdpd_plugin_computes_custom_key)
{
	pdpw_reply r;
	// The caller's claim to be gold is ignored: the plugin decides.
	const char *gold[] = {"gold"};
	pdpw_ctx claim = {"t:Tier", gold, 1, false};

	setup();
	pdpc_client *c = th_client(&srv, 3000);
	ck_assert_int_eq(decide(c, TH_ALICE, "s3:GetObject", NULL, 0, &r),
	    PDPW_ALLOW);
	ck_assert_int_eq(decide(c, TH_BOB, "s3:GetObject", &claim, 1, &r),
	    PDPW_IMPLICIT_DENY);
	ck_assert_int_eq(r.result.status, PDPW_OK);
	pdpc_close(c);
	teardown();
}
END_TEST

START_TEST(test_pdpd_tag_rule_denies_with_rule_and_counts)
{
	pdpw_reply r;
	const char *prod[] = {"prod"}, *keys[] = {"Env"};
	pdpw_ctx bad[] = {{"aws:RequestTag/Env", prod, 1, false},
	    {"aws:TagKeys", keys, 1, true}};

	setup();
	pdpc_client *c = th_client(&srv, 3000);
	ck_assert_int_eq(decide(c, TH_ALICE, "s3:PutObject", bad, 2, &r),
	    PDPW_EXPLICIT_DENY);
	ck_assert_ptr_nonnull(r.result.reason);
	ck_assert_msg(strstr(r.result.reason, "tag_policy") != NULL,
	    "reason: %s", r.result.reason);
	ck_assert_int_eq(decide(c, TH_ALICE, "s3:PutObject", NULL, 0, &r),
	    PDPW_ALLOW);
	ck_assert_int_eq(pdpc_stats(c, &r), PDPW_OK);
	ck_assert(r.stats.plugins_enabled);
	ck_assert_uint_ge(r.stats.plugin_calls, 1);
	ck_assert_uint_eq(r.stats.plugin_denials, 1);
	pdpc_close(c);
	teardown();
}
END_TEST

START_TEST(test_pdpd_broken_plugin_refuses_reload)
{
	pdpw_reply r;

	setup();
	pdpc_client *c = th_client(&srv, 3000);
	write_text(plugdir, "tier.lua", "return { keys = { ['t:Tier'] = ");
	ck_assert_int_eq(pdpc_reload(c, &r), PDPW_OK);
	ck_assert_int_ne(r.status, PDPW_OK);
	// The old plugins and bundle still decide.
	ck_assert_int_eq(decide(c, TH_ALICE, "s3:GetObject", NULL, 0, &r),
	    PDPW_ALLOW);
	ck_assert_uint_eq(r.revision, 7);
	char *log = th_log(&srv);
	ck_assert_msg(strstr(log, "plugins_refused") != NULL, "%s", log);
	free(log);
	pdpc_close(c);
	teardown();
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("server/plugins");
	TCase *tc = tcase_create("plugins");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_pdpd_plugin_computes_custom_key);
	tcase_add_test(tc, test_pdpd_tag_rule_denies_with_rule_and_counts);
	tcase_add_test(tc, test_pdpd_broken_plugin_refuses_reload);
	suite_add_tcase(s, tc);
	return pdp_run_suite(s);
}
