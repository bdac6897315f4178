// worker_test.c - the plugin worker as libpdp's provider: keys computed
// lazily and once per request, errors, the instruction budget and the
// memory cap deciding Deny with the plugin's name, counters, checks, and
// reloads refused on a broken plugin while the old host keeps working.

#include "helpers.h"

static char dir[64];
static tplug tp;

static void
setup(void)
{
	tdir_make(dir, sizeof(dir));
}

static void
teardown(void)
{
	tdir_remove(dir);
}

#define ALICE "'arn:aws:iam::111122223333:user/alice'"

static tdec
decide(const char *statements, const char *action, const char *ctx)
{
	char line[4096];

	snprintf(line, sizeof(line), "{'identityPolicies':[{'Version':"
	    "'2012-10-17','Statement':[%s]}],'request':{'principal':" ALICE
	    ",'action':'%s','resource':'*','context':{%s}}}", statements,
	    action, ctx);
	return tdecide(&tp.opt, line);
}

static const char lazy_json[] =
    "{\"name\": \"lazy\", \"keys\": {\"t:A\": \"String\", "
    "\"t:Calls\": \"Numeric\"}}";
static const char lazy_lua[] =
    "local n = 0\n"
    "return { keys = {\n"
    "  ['t:A'] = function(req) n = n + 1; return 'xyz' end,\n"
    "  ['t:Calls'] = function(req) return n end,\n"
    "} }\n";

#define LAZY_STMTS \
	"{'Effect':'Allow','Action':'s3:GetObject','Resource':'*'," \
	"'Condition':{'StringEquals':{'t:A':'nope'}}}," \
	"{'Effect':'Allow','Action':'s3:GetObject','Resource':'*'," \
	"'Condition':{'StringLike':{'T:a':'x*'},'StringNotEquals':" \
	"{'t:a':'other'}}},"\
	"{'Effect':'Allow','Action':'s3:PutObject','Resource':'*'}," \
	"{'Effect':'Allow','Action':'s3:ListBucket','Resource':'*'," \
	"'Condition':{'NumericEquals':{'t:Calls':'3'}}}"

START_TEST(test_key_runs_only_when_a_condition_asks)
{
	pdpl_stats st;

	tdir_plugin(dir, "lazy", lazy_json, lazy_lua);
	tplug_open(&tp, dir);
	tdec d = decide(LAZY_STMTS, "s3:PutObject", "");
	ck_assert_int_eq(d.effect, PDP_ALLOW);
	pdpl_host_stats(tp.host, &st);
	ck_assert_int_eq(st.calls, 0);
	tplug_close(&tp);
}
END_TEST

START_TEST(test_key_runs_once_per_request_however_often_tested)
{
	pdpl_stats st;

	tdir_plugin(dir, "lazy", lazy_json, lazy_lua);
	tplug_open(&tp, dir);
	for (int i = 0; i < 3; i++) {
		tdec d = decide(LAZY_STMTS, "s3:GetObject", "");
		ck_assert_int_eq(d.err, PDP_OK);
		ck_assert_int_eq(d.effect, PDP_ALLOW);
	}
	pdpl_host_stats(tp.host, &st);
	ck_assert_int_eq(st.calls, 3);
	// Lua counted three calls of t:A too (t:Calls reads the count).
	tdec d = decide(LAZY_STMTS, "s3:ListBucket", "");
	ck_assert_int_eq(d.effect, PDP_ALLOW);
	tplug_close(&tp);
}
END_TEST

START_TEST(test_key_sent_by_the_caller_is_ignored)
{
	pdpl_stats st;

	// The caller claims t:A = nope, which the policy would allow; the
	// plugin says xyz, and the plugin decides.
	tdir_plugin(dir, "lazy", lazy_json, lazy_lua);
	tplug_open(&tp, dir);
	tdec d = decide("{'Effect':'Allow','Action':'s3:GetObject',"
	    "'Resource':'*','Condition':{'StringEquals':{'t:A':'nope'}}}",
	    "s3:GetObject", "'t:A':'nope'");
	ck_assert_int_eq(d.err, PDP_OK);
	ck_assert_int_eq(d.effect, PDP_IMPLICIT_DENY);
	pdpl_host_stats(tp.host, &st);
	ck_assert_int_eq(st.calls, 1);
	tplug_close(&tp);
}
END_TEST

static const char faulty_json[] =
    "{\"name\": \"faulty\", \"keys\": {\"t:Boom\": \"String\", "
    "\"t:Loop\": \"String\", \"t:Swallow\": \"String\", "
    "\"t:Big\": \"String\", \"t:Hoard\": \"String\", "
    "\"t:Fine\": \"String\", \"t:Func\": \"Bool\", "
    "\"t:Many\": \"String\", \"t:List\": \"String\", "
    "\"t:Num\": \"Numeric\"}}";
static const char faulty_lua[] =
    "hoard = {}\n"
    "return { keys = {\n"
    "  ['t:Boom'] = function(req) error('boom') end,\n"
    "  ['t:Loop'] = function(req) while true do end end,\n"
    "  ['t:Swallow'] = function(req)\n"
    "    while true do pcall(function() while true do end end) end\n"
    "  end,\n"
    "  ['t:Big'] = function(req) return string.rep('x', 64 << 20) end,\n"
    "  ['t:Hoard'] = function(req)\n"
    "    for i = 1, 100 do hoard[#hoard + 1] = string.rep('x', 100000) "
    ".. i end\n"
    "  end,\n"
    "  ['t:Fine'] = function(req) return 'fine' end,\n"
    "  ['t:Func'] = function(req) return function() end end,\n"
    "  ['t:Many'] = function(req)\n"
    "    local v = {} for i = 1, 17 do v[i] = 'v' end return v end,\n"
    "  ['t:List'] = function(req) return {'a', 'b'} end,\n"
    "  ['t:Num'] = function(req) return 2.5 end,\n"
    "} }\n";

static tdec
one(const char *key, const char *op, const char *value)
{
	char st[512];

	snprintf(st, sizeof(st), "{'Effect':'Allow','Action':'s3:GetObject',"
	    "'Resource':'*','Condition':{'%s':{'%s':'%s'}}}", op, key,
	    value);
	return decide(st, "s3:GetObject", "");
}

static void
open_faulty(void)
{
	pdpl_options o = {0, (size_t) 2 << 20};

	tdir_plugin(dir, "faulty", faulty_json, faulty_lua);
	tplug_open_opts(&tp, dir, &o);
}

static void
assert_plugin_deny(tdec d, const char *what)
{
	ck_assert_int_eq(d.err, PDP_EPLUGIN);
	ck_assert_int_ne(d.effect, PDP_ALLOW);
	ck_assert_msg(strncmp(d.reason, "plugin faulty: ", 15) == 0, "%s",
	    d.reason);
	ck_assert_msg(strstr(d.reason, what) != NULL, "%s lacks %s", d.reason,
	    what);
}

START_TEST(test_error_denies_with_plugin_name_and_is_counted)
{
	pdpl_stats st;

	open_faulty();
	assert_plugin_deny(one("t:Boom", "StringEquals", "x"),
	    "faulty.lua:3: boom");
	// A negated operator must not turn the failure into an Allow.
	assert_plugin_deny(one("t:Boom", "StringNotEquals", "x"), "boom");
	pdpl_host_stats(tp.host, &st);
	ck_assert_int_eq(st.errors, 2);
	ck_assert_int_eq(st.calls, 2);
	tplug_close(&tp);
}
END_TEST

START_TEST(test_budget_stops_endless_loops)
{
	pdpl_stats st;

	open_faulty();
	assert_plugin_deny(one("t:Loop", "StringEquals", "x"),
	    "instruction budget");
	// pcall in the plugin cannot swallow the budget.
	assert_plugin_deny(one("t:Swallow", "StringNotEquals", "x"),
	    "instruction budget");
	// The state is still usable.
	tdec d = one("t:Fine", "StringEquals", "fine");
	ck_assert_int_eq(d.err, PDP_OK);
	ck_assert_int_eq(d.effect, PDP_ALLOW);
	pdpl_host_stats(tp.host, &st);
	ck_assert_int_eq(st.timeouts, 2);
	ck_assert_int_eq(st.errors, 0);
	tplug_close(&tp);
}
END_TEST

START_TEST(test_memory_cap_denies_and_state_recovers)
{
	pdpl_stats st;

	open_faulty();
	assert_plugin_deny(one("t:Big", "StringEquals", "x"),
	    "memory cap exceeded");
	tdec d = one("t:Fine", "StringEquals", "fine");
	ck_assert_int_eq(d.effect, PDP_ALLOW);
	// Live data fills the state: it is made again from the files.
	assert_plugin_deny(one("t:Hoard", "StringEquals", "x"),
	    "memory cap exceeded");
	d = one("t:Fine", "StringEquals", "fine");
	ck_assert_int_eq(d.err, PDP_OK);
	ck_assert_int_eq(d.effect, PDP_ALLOW);
	pdpl_host_stats(tp.host, &st);
	ck_assert_int_eq(st.memory, 2);
	tplug_close(&tp);
}
END_TEST

START_TEST(test_values_of_the_wrong_type_deny)
{
	open_faulty();
	assert_plugin_deny(one("t:Func", "Bool", "true"),
	    "key t:Func: a Bool key must be a boolean or a string");
	assert_plugin_deny(one("t:Many", "ForAnyValue:StringEquals", "v"),
	    "more than 16");
	tplug_close(&tp);
}
END_TEST

START_TEST(test_lists_and_numbers)
{
	open_faulty();
	tdec d = one("t:List", "ForAnyValue:StringEquals", "b");
	ck_assert_int_eq(d.effect, PDP_ALLOW);
	d = one("t:List", "ForAllValues:StringEquals", "b");
	ck_assert_int_eq(d.effect, PDP_IMPLICIT_DENY);
	// A multivalued key without a set operator never matches.
	d = one("t:List", "StringEquals", "a");
	ck_assert_int_eq(d.effect, PDP_IMPLICIT_DENY);
	d = one("t:Num", "NumericGreaterThan", "2");
	ck_assert_int_eq(d.effect, PDP_ALLOW);
	d = one("t:Num", "NumericLessThan", "2.5");
	ck_assert_int_eq(d.effect, PDP_IMPLICIT_DENY);
	tplug_close(&tp);
}
END_TEST

START_TEST(test_key_no_plugin_declares_denies)
{
	iamc_custom_key ghost = {"t:Ghost", IAMC_TYPE_STRING, "gone"};
	iamc_compile_options co = {&ghost, 1};

	open_faulty();
	tp.opt.compile = &co;
	tdec d = one("t:Ghost", "StringNotEquals", "x");
	ck_assert_int_eq(d.err, PDP_EPLUGIN);
	ck_assert_msg(strstr(d.reason, "no plugin declares condition key "
	    "\"t:Ghost\"") != NULL, "%s", d.reason);
	tp.opt.compile = iamc_plugin_keys_options(tp.keys);
	tplug_close(&tp);
}
END_TEST

static const char checker_json[] =
    "{\"name\": \"checker\", \"check\": \"always\"}";
static const char checker_lua[] =
    "return { check = function(req)\n"
    "  local m = req:ctx('t:mode')\n"
    "  if m == 'fail' then error('cannot check') end\n"
    "  if m == 'odd' then return 42 end\n"
    "  if m == 'deny' then return false, 'no-mode: mode deny' end\n"
    "  if m == 'set' then req:set('t:added', {'a', 'b'}) end\n"
    "  if m == 'readonly' then req.action = 'x' end\n"
    "end }\n";

#define CHECK_STMTS \
	"{'Effect':'Allow','Action':'s3:GetObject','Resource':'*'," \
	"'Condition':{'ForAnyValue:StringEquals':{'t:added':'b'}}}," \
	"{'Effect':'Allow','Action':'s3:PutObject','Resource':'*'}"

START_TEST(test_check_errors_and_denials)
{
	pdpl_stats st;

	tdir_plugin(dir, "checker", checker_json, checker_lua);
	tplug_open(&tp, dir);
	tdec d = decide(CHECK_STMTS, "s3:PutObject", "'t:mode':'ok'");
	ck_assert_int_eq(d.effect, PDP_ALLOW);
	d = decide(CHECK_STMTS, "s3:PutObject", "'t:mode':'fail'");
	ck_assert_int_eq(d.err, PDP_EPLUGIN);
	ck_assert_msg(strstr(d.reason, "plugin checker: checker.lua:3: "
	    "cannot check") != NULL, "%s", d.reason);
	d = decide(CHECK_STMTS, "s3:PutObject", "'t:mode':'odd'");
	ck_assert_int_eq(d.err, PDP_EPLUGIN);
	d = decide(CHECK_STMTS, "s3:PutObject", "'t:mode':'readonly'");
	ck_assert_int_eq(d.err, PDP_EPLUGIN);
	ck_assert_msg(strstr(d.reason, "read-only") != NULL, "%s", d.reason);
	d = decide(CHECK_STMTS, "s3:PutObject", "'t:mode':'deny'");
	ck_assert_int_eq(d.err, PDP_OK);
	ck_assert_int_eq(d.effect, PDP_EXPLICIT_DENY);
	ck_assert_str_eq(d.reason, "plugin checker: no-mode: mode deny");
	pdpl_host_stats(tp.host, &st);
	ck_assert_int_eq(st.errors, 3);
	ck_assert_int_eq(st.denials, 1);
	ck_assert_str_eq(st.rules[0].rule, "no-mode");
	tplug_close(&tp);
}
END_TEST

START_TEST(test_check_sets_context_keys_policies_see)
{
	tdir_plugin(dir, "checker", checker_json, checker_lua);
	tplug_open(&tp, dir);
	tdec d = decide(CHECK_STMTS, "s3:GetObject", "'t:mode':'set'");
	ck_assert_int_eq(d.err, PDP_OK);
	ck_assert_int_eq(d.effect, PDP_ALLOW);
	d = decide(CHECK_STMTS, "s3:GetObject", "'t:mode':'ok'");
	ck_assert_int_eq(d.effect, PDP_IMPLICIT_DENY);
	tplug_close(&tp);
}
END_TEST

START_TEST(test_set_is_refused_outside_a_check)
{
	tdir_plugin(dir, "setter", "{\"name\": \"setter\", \"keys\": "
	    "{\"t:S\": \"String\"}}", "return { keys = { ['t:S'] = "
	    "function(req) req:set('x', 'y') return 'v' end } }\n");
	tplug_open(&tp, dir);
	tdec d = decide("{'Effect':'Allow','Action':'s3:GetObject',"
	    "'Resource':'*','Condition':{'StringEquals':{'t:S':'v'}}}",
	    "s3:GetObject", "");
	ck_assert_int_eq(d.err, PDP_EPLUGIN);
	ck_assert_msg(strstr(d.reason, "only in a check") != NULL, "%s",
	    d.reason);
	tplug_close(&tp);
}
END_TEST

START_TEST(test_reload_refused_on_broken_plugin_old_host_works)
{
	char err[1024] = "";
	pdpl_host *h2 = NULL;

	tdir_plugin(dir, "lazy", lazy_json, lazy_lua);
	tplug_open(&tp, dir);
	// A syntax error: the new host is refused, naming file and line.
	tdir_write(dir, "lazy.lua", "return {\n keys = {,\n}\n");
	ck_assert_int_eq(pdpl_host_open(dir, NULL, &h2, err, sizeof(err)),
	    PDP_EPLUGIN);
	ck_assert_ptr_null(h2);
	ck_assert_msg(strstr(err, "/lazy.lua:2:") != NULL, "%s", err);
	// An error when run, and a table that does not match the manifest.
	tdir_write(dir, "lazy.lua", "local x = nil\nreturn x.y\n");
	ck_assert_int_eq(pdpl_host_open(dir, NULL, &h2, err, sizeof(err)),
	    PDP_EPLUGIN);
	ck_assert_msg(strstr(err, "/lazy.lua:2:") != NULL, "%s", err);
	tdir_write(dir, "lazy.lua", "return { keys = { ['t:A'] = "
	    "function() end } }\n");
	ck_assert_int_eq(pdpl_host_open(dir, NULL, &h2, err, sizeof(err)),
	    PDP_EPLUGIN);
	ck_assert_msg(strstr(err, "keys[\"t:Calls\"] must be a function") !=
	    NULL, "%s", err);
	tdir_write(dir, "lazy.json", "{\"name\": \"lazy\", \"keys\": "
	    "{\"aws:Mine\": \"String\"}}");
	ck_assert_int_eq(pdpl_host_open(dir, NULL, &h2, err, sizeof(err)),
	    PDP_EINVAL);
	ck_assert_msg(strstr(err, "aws: namespace") != NULL, "%s", err);
	// The old host's worker still decides with the old plugins.
	tdec d = decide(LAZY_STMTS, "s3:GetObject", "");
	ck_assert_int_eq(d.err, PDP_OK);
	ck_assert_int_eq(d.effect, PDP_ALLOW);
	// And a new worker of the old host can still be made.
	pdpl_worker *w2;
	ck_assert_int_eq(pdpl_worker_open(tp.host, &w2, err, sizeof(err)),
	    PDP_OK);
	pdpl_worker_close(w2);
	tplug_close(&tp);
}
END_TEST

START_TEST(test_host_keeps_counts_of_closed_workers)
{
	pdpl_stats st;
	pdpl_worker *w2;
	char err[256];

	tdir_plugin(dir, "lazy", lazy_json, lazy_lua);
	tplug_open(&tp, dir);
	ck_assert_int_eq(pdpl_worker_open(tp.host, &w2, err, sizeof(err)),
	    PDP_OK);
	tdecide(&tp.opt, "{'identityPolicies':[{'Version':'2012-10-17',"
	    "'Statement':[{'Effect':'Allow','Action':'*','Resource':'*',"
	    "'Condition':{'StringEquals':{'t:A':'xyz'}}}]}],'request':"
	    "{'principal':" ALICE ",'action':'s3:GetObject'}}");
	tp.opt.provider = pdpl_worker_provider(w2);
	tdec d = tdecide(&tp.opt, "{'identityPolicies':[{'Version':"
	    "'2012-10-17','Statement':[{'Effect':'Allow','Action':'*',"
	    "'Resource':'*','Condition':{'StringEquals':{'t:A':'xyz'}}}]}],"
	    "'request':{'principal':" ALICE ",'action':'s3:GetObject'}}");
	ck_assert_int_eq(d.effect, PDP_ALLOW);
	pdpl_worker_close(w2);
	pdpl_host_stats(tp.host, &st);
	ck_assert_int_eq(st.calls, 2);
	tplug_close(&tp);
}
END_TEST

START_TEST(test_no_plugins_in_a_directory_is_fine)
{
	pdpl_host *h;
	char err[256];

	ck_assert_int_eq(pdpl_host_open(dir, NULL, &h, err, sizeof(err)),
	    PDP_OK);
	ck_assert_int_eq(pdpl_host_plugins(h), 0);
	pdpl_host_close(h);
	ck_assert_int_eq(pdpl_host_open("/nonexistent/plugins", NULL, &h,
	    err, sizeof(err)), PDP_EIO);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("plugins/worker");
	TCase *tc = tcase_create("worker");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_key_runs_only_when_a_condition_asks);
	tcase_add_test(tc,
	    test_key_runs_once_per_request_however_often_tested);
	tcase_add_test(tc, test_key_sent_by_the_caller_is_ignored);
	tcase_add_test(tc, test_error_denies_with_plugin_name_and_is_counted);
	tcase_add_test(tc, test_budget_stops_endless_loops);
	tcase_add_test(tc, test_memory_cap_denies_and_state_recovers);
	tcase_add_test(tc, test_values_of_the_wrong_type_deny);
	tcase_add_test(tc, test_lists_and_numbers);
	tcase_add_test(tc, test_key_no_plugin_declares_denies);
	tcase_add_test(tc, test_check_errors_and_denials);
	tcase_add_test(tc, test_check_sets_context_keys_policies_see);
	tcase_add_test(tc, test_set_is_refused_outside_a_check);
	tcase_add_test(tc,
	    test_reload_refused_on_broken_plugin_old_host_works);
	tcase_add_test(tc, test_host_keeps_counts_of_closed_workers);
	tcase_add_test(tc, test_no_plugins_in_a_directory_is_fine);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
