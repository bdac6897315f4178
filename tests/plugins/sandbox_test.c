// sandbox_test.c - what a plugin must not be able to do: touch files, run
// programs, load bytecode or C modules, require outside its directory,
// reach the real globals, or unlock the string metatable. Each probe runs
// inside a plugin key and answers "safe", "escaped", or raises an error
// (which denies, also safe).

#include "helpers.h"

static char dir[64];
static tplug tp;

static const char probe_json[] =
    "{\"name\": \"probe\", \"keys\": {\"t:Probe\": \"String\"}}";
// The probe runs the request's t:code as a chunk, in the plugin's own
// environment, so that probes see exactly what plugin code sees.
static const char probe_lua[] =
    "local env = _ENV\n"
    "return { keys = { ['t:Probe'] = function(req)\n"
    "  local f, err = load(req:ctx('t:code'), '=probe', 't', env)\n"
    "  if not f then error(err) end\n"
    "  return f(req)\n"
    "end } }\n";

static void
setup(void)
{
	tdir_make(dir, sizeof(dir));
	tdir_plugin(dir, "probe", probe_json, probe_lua);
	tdir_write(dir, "helper.lua", "return { answer = 42 }\n");
	tplug_open(&tp, dir);
}

static void
teardown(void)
{
	tplug_close(&tp);
	tdir_remove(dir);
}

// probe runs `code` (a Lua chunk; no double quotes) and returns what the
// key said: "safe", "escaped", or "error: REASON".
static const char *
probe(const char *code)
{
	static char out[600];
	json_t *in;
	iamc_eval_prep *p;
	pdp_decision d;
	char err[512];

	// Built with jansson: the code is any text.
	in = json_pack("{s:[{s:s,s:[{s:s,s:s,s:s,s:{s:{s:s}}}]}],s:{s:s,s:s,"
	    "s:{s:s}}}", "identityPolicies", "Version", "2012-10-17",
	    "Statement", "Effect", "Allow", "Action", "*", "Resource", "*",
	    "Condition", "StringEquals", "t:Probe", "escaped", "request",
	    "principal", "arn:aws:iam::111122223333:user/alice", "action",
	    "s3:GetObject", "context", "t:code", code);
	ck_assert_ptr_nonnull(in);
	ck_assert_msg(iamc_eval_prepare_ex(in, &tp.opt, &p, err,
	    sizeof(err)) == PDP_OK, "%s", err);
	// The policy allows only when the probe said "escaped".
	pdp_bundle_authorize(iamc_eval_prep_bundle(p),
	    iamc_eval_prep_request(p), &d, NULL);
	if (d.err != PDP_OK)
		snprintf(out, sizeof(out), "error: %s", d.reason);
	else
		snprintf(out, sizeof(out), "%s", d.effect == PDP_ALLOW ?
		    "escaped" : "safe");
	iamc_eval_prep_free(p);
	json_decref(in);
	return out;
}

static void
assert_safe(const char *code)
{
	const char *r = probe(code);
	ck_assert_msg(strcmp(r, "escaped") != 0, "escaped: %s", code);
}

// assert_runs: the probe itself works (so that "safe" means something).
START_TEST(test_probe_can_escape_when_told_to)
{
	ck_assert_str_eq(probe("return 'escaped'"), "escaped");
	ck_assert_str_eq(probe("return 'safe'"), "safe");
	ck_assert_str_eq(probe("return require('helper').answer == 42 and "
	    "'escaped' or 'safe'"), "escaped");
}
END_TEST

START_TEST(test_no_file_access)
{
	assert_safe("return io and 'escaped' or 'safe'");
	assert_safe("return io.open('/etc/passwd') and 'escaped'");
	assert_safe("return dofile and 'escaped' or 'safe'");
	assert_safe("return loadfile and 'escaped' or 'safe'");
	assert_safe("return dofile('/etc/passwd')");
	assert_safe("return print and 'escaped' or 'safe'");
	assert_safe("return _G.io and 'escaped' or 'safe'");
}
END_TEST

START_TEST(test_no_os_execute_only_time)
{
	assert_safe("return os.execute and 'escaped' or 'safe'");
	assert_safe("return os.execute('touch /tmp/pdpl_escaped')");
	assert_safe("return os.remove and 'escaped' or 'safe'");
	assert_safe("return (os.getenv or os.exit or os.rename or os.tmpname "
	    "or os.setlocale) and 'escaped' or 'safe'");
	ck_assert_str_eq(probe("return (os.time() > 0 and os.clock() >= 0 "
	    "and os.date('!%Y', 0) == '1970' and os.difftime(2, 1) == 1) "
	    "and 'escaped' or 'safe'"), "escaped");
	ck_assert_int_ne(access("/tmp/pdpl_escaped", F_OK), 0);
}
END_TEST

START_TEST(test_no_bytecode)
{
	assert_safe("return string.dump and 'escaped' or 'safe'");
	assert_safe("return ('').dump and 'escaped' or 'safe'");
	assert_safe("return string.dump(function() end)");
	// A binary chunk by hand, and load asked for binary mode.
	assert_safe("return load('\\27LuaT\\0\\25\\147\\r\\n\\26\\n') "
	    "and 'escaped' or 'safe'");
	assert_safe("return load('return 1', 'x', 'b') and 'escaped' or "
	    "'safe'");
	assert_safe("return load('return 1', 'x', 'bt') and 'escaped' or "
	    "'safe'");
	assert_safe("return load(function() return nil end) and 'escaped'");
}
END_TEST

START_TEST(test_load_gets_no_real_globals)
{
	assert_safe("return load('return io or dofile or print or "
	    "package')() and 'escaped' or 'safe'");
	// Text chunks still work.
	ck_assert_str_eq(probe("return load('return 1 + 1')() == 2 and "
	    "'escaped' or 'safe'"), "escaped");
}
END_TEST

START_TEST(test_no_require_outside_the_directory)
{
	assert_safe("return package and 'escaped' or 'safe'");
	assert_safe("return require('../../etc/passwd') and 'escaped'");
	assert_safe("return require('/etc/passwd') and 'escaped'");
	assert_safe("return require('helper.x') and 'escaped'");
	assert_safe("return require('io') and 'escaped'");
	assert_safe("return require('os').execute and 'escaped' or 'safe'");
	assert_safe("return require('debug') and 'escaped'");
	// A C module: the searcher reads only .lua text of the directory.
	assert_safe("return require('lpeg') and 'escaped'");
	assert_safe("return require('socket.core') and 'escaped'");
	ck_assert_ptr_nonnull(strstr(probe("return require('nothere')"),
	    "not found in the plugin directory"));
}
END_TEST

START_TEST(test_string_metatable_is_locked)
{
	assert_safe("return getmetatable('') and 'escaped' or 'safe'");
	assert_safe("getmetatable('').__index = { upper = function() "
	    "return 'escaped' end } return ('x'):upper()");
	assert_safe("local ok = pcall(setmetatable, '', {}) return ok and "
	    "'escaped' or 'safe'");
	assert_safe("return debug and 'escaped' or 'safe'");
	assert_safe("return (coroutine or collectgarbage('count') < 0) and "
	    "'escaped' or 'safe'");
}
END_TEST

START_TEST(test_collectgarbage_limited)
{
	assert_safe("collectgarbage('stop') return 'escaped'");
	assert_safe("collectgarbage('generational') return 'escaped'");
	assert_safe("collectgarbage() return 'escaped'");
	ck_assert_str_eq(probe("return collectgarbage('count') > 0 and "
	    "'escaped' or 'safe'"), "escaped");
}
END_TEST

START_TEST(test_req_object_is_read_only_and_locked)
{
	ck_assert_ptr_nonnull(strstr(probe("local req = ... req.principal = "
	    "'x' return 'escaped'"), "read-only"));
	assert_safe("local req = ... return getmetatable(req) and 'escaped' "
	    "or 'safe'");
	assert_safe("local req = ... return pcall(setmetatable, req, {}) "
	    "and 'escaped' or 'safe'");
	ck_assert_str_eq(probe("local req = ... return req.action == "
	    "'s3:GetObject' and req.principal:find('alice') and "
	    "req.resource == '*' and 'escaped' or 'safe'"), "escaped");
}
END_TEST

START_TEST(test_plugin_file_touching_io_refuses_the_host)
{
	char err[1024];
	pdpl_host *h = NULL;

	tdir_plugin(dir, "sneaky", "{\"name\": \"sneaky\", \"keys\": "
	    "{\"t:X\": \"String\"}}", "local f = io.open('/etc/passwd')\n"
	    "return { keys = { ['t:X'] = function() return 'x' end } }\n");
	ck_assert_int_eq(pdpl_host_open(dir, NULL, &h, err, sizeof(err)),
	    PDP_EPLUGIN);
	ck_assert_msg(strstr(err, "sneaky.lua:1:") != NULL, "%s", err);
	// Bytecode as a plugin file is refused too.
	tdir_plugin(dir, "sneaky", "{\"name\": \"sneaky\", \"keys\": "
	    "{\"t:X\": \"String\"}}", "\033LuaT\001\002\003");
	ck_assert_int_eq(pdpl_host_open(dir, NULL, &h, err, sizeof(err)),
	    PDP_EPLUGIN);
	ck_assert_msg(strstr(err, "binary") != NULL, "%s", err);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("plugins/sandbox");
	TCase *tc = tcase_create("sandbox");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_probe_can_escape_when_told_to);
	tcase_add_test(tc, test_no_file_access);
	tcase_add_test(tc, test_no_os_execute_only_time);
	tcase_add_test(tc, test_no_bytecode);
	tcase_add_test(tc, test_load_gets_no_real_globals);
	tcase_add_test(tc, test_no_require_outside_the_directory);
	tcase_add_test(tc, test_string_metatable_is_locked);
	tcase_add_test(tc, test_collectgarbage_limited);
	tcase_add_test(tc, test_req_object_is_read_only_and_locked);
	tcase_add_test(tc, test_plugin_file_touching_io_refuses_the_host);
	suite_add_tcase(s, tc);
	return run_suite(s);
}
