// sandbox.c - a lua_State fit to run plugins: only the base, string,
// table, math and utf8 libraries and four time functions of os; `load`
// for text only, `require` for the plugin directory only, no bytecode,
// no C modules, no I/O; a memory cap (alloc.c) and an instruction budget
// per call. Every plugin of the host is run here once and its returned
// table checked against its manifest.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "pdpli.h"

// Registry fields of a sandboxed state.
#define BASE "pdpl.base"     // what every environment starts as
#define LOADED "pdpl.loaded" // modules `require` has run

// The base functions a plugin keeps. dofile, loadfile and print touch
// files; load is replaced; collectgarbage is limited; warn is dropped.
static const char *const base_keep[] = {
	"assert", "error", "getmetatable", "ipairs", "next", "pairs",
	"pcall", "rawequal", "rawget", "rawlen", "rawset", "select",
	"setmetatable", "tonumber", "tostring", "type", "xpcall", "_VERSION",
	"string", "table", "math", "utf8",
};

static const char *const os_keep[] = {"time", "clock", "date", "difftime"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

pdpli_state *
pdpli_state_get(lua_State *L)
{
	return *(pdpli_state **) lua_getextraspace(L);
}

// budget_hook runs when a call has used its instructions. It also makes
// every later instruction fail, so a plugin's own pcall cannot swallow
// the error and go on.
static void
budget_hook(lua_State *L, lua_Debug *ar)
{
	pdpli_state *st = pdpli_state_get(L);

	(void) ar;
	st->over = true;
	lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
	luaL_error(L, "instruction budget of %d exceeded", (int) st->budget);
}

void
pdpli_state_arm(pdpli_state *st)
{
	st->over = false;
	lua_sethook(st->L, budget_hook, LUA_MASKCOUNT, (int) st->budget);
}

// new_env pushes a fresh environment: a shallow copy of the base, so one
// plugin's globals are not another's.
static void
new_env(lua_State *L)
{
	lua_createtable(L, 0, (int) NELEM(base_keep) + 8);
	lua_getfield(L, LUA_REGISTRYINDEX, BASE);
	lua_pushnil(L);
	while (lua_next(L, -2) != 0) {
		lua_pushvalue(L, -2);
		lua_insert(L, -2);
		lua_rawset(L, -5);
	}
	lua_pop(L, 1);
	lua_pushvalue(L, -1);
	lua_setfield(L, -2, "_G");
}

// load(text [, name [, mode [, env]]]) compiles text only. Without env
// the chunk gets a fresh sandbox environment, never the real globals.
static int
s_load(lua_State *L)
{
	size_t n;
	const char *s = lua_tolstring(L, 1, &n);
	const char *name = luaL_optstring(L, 2, "=(load)");
	const char *mode = luaL_optstring(L, 3, "t");

	if (s == NULL || lua_type(L, 1) != LUA_TSTRING)
		return luaL_error(L, "load: only text chunks (strings) may "
		    "be loaded in the sandbox");
	if (strchr(mode, 'b') != NULL) {
		luaL_pushfail(L);
		lua_pushliteral(L, "load: binary chunks are not allowed in "
		    "the sandbox");
		return 2;
	}
	if (luaL_loadbufferx(L, s, n, name, "t") != LUA_OK) {
		luaL_pushfail(L);
		lua_insert(L, -2);
		return 2;
	}
	if (!lua_isnone(L, 4))
		lua_pushvalue(L, 4);
	else
		new_env(L);
	if (lua_setupvalue(L, -2, 1) == NULL)
		lua_pop(L, 1);
	return 1;
}

// collectgarbage("count") only: stopping or tuning the collector is a way
// to run into the memory cap of the whole worker.
static int
s_collectgarbage(lua_State *L)
{
	const char *opt = luaL_optstring(L, 1, "collect");

	if (strcmp(opt, "count") != 0)
		return luaL_error(L, "collectgarbage(\"%s\") is not allowed "
		    "in the sandbox", opt);
	lua_pushnumber(L, (lua_Number) lua_gc(L, LUA_GCCOUNT, 0) +
	    (lua_Number) lua_gc(L, LUA_GCCOUNTB, 0) / 1024);
	return 1;
}

static char loading; // sentinel: a module being required

// require(name) runs NAME.lua of the plugin directory (text only, read
// when the host was opened) once per state. Names are plain words, so no
// path can leave the directory.
static int
s_require(lua_State *L)
{
	pdpli_state *st = pdpli_state_get(L);
	size_t n;
	const char *name = luaL_checklstring(L, 1, &n);
	const pdpli_module *m = NULL;
	char chunk[80];

	if (n == 0 || n > 64)
		return luaL_error(L, "require: bad module name");
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_'))
			return luaL_error(L, "require: module '%s' is not a "
			    "plain name (letters, digits, '_'): only modules "
			    "of the plugin directory may be required", name);
	}
	lua_settop(L, 1);
	lua_getfield(L, LUA_REGISTRYINDEX, LOADED);
	if (lua_getfield(L, 2, name) != LUA_TNIL) {
		if (lua_touserdata(L, -1) == &loading)
			return luaL_error(L, "require: module '%s' requires "
			    "itself", name);
		return 1;
	}
	lua_pop(L, 1);
	for (uint32_t i = 0; i < st->h->nmods; i++)
		if (strcmp(st->h->mods[i].name, name) == 0)
			m = &st->h->mods[i];
	if (m == NULL)
		return luaL_error(L, "require: module '%s' not found in the "
		    "plugin directory", name);
	snprintf(chunk, sizeof(chunk), "@%s.lua", name);
	if (luaL_loadbufferx(L, m->src, m->len, chunk, "t") != LUA_OK)
		return lua_error(L);
	new_env(L);
	lua_setupvalue(L, -2, 1);
	lua_pushlightuserdata(L, &loading);
	lua_setfield(L, 2, name);
	lua_call(L, 0, 1);
	if (lua_isnil(L, -1)) {
		lua_pop(L, 1);
		lua_pushboolean(L, 1);
	}
	lua_pushvalue(L, -1);
	lua_setfield(L, 2, name);
	return 1;
}

// open_libs opens the allowed libraries and builds the base environment.
static void
open_libs(lua_State *L)
{
	luaL_requiref(L, LUA_GNAME, luaopen_base, 0);
	luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
	luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
	luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
	luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
	luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 0);
	lua_settop(L, 0);
	lua_pushglobaltable(L);                     // 1: the full globals
	lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE); // 2
	luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 0);       // 3: full os

	// string.dump would hand out bytecode; the string metatable is
	// shared by every string, so it is locked against getmetatable.
	lua_getfield(L, 1, LUA_STRLIBNAME);
	lua_pushnil(L);
	lua_setfield(L, -2, "dump");
	lua_pop(L, 1);
	lua_pushliteral(L, "");
	lua_getmetatable(L, -1);
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_pop(L, 2);

	lua_createtable(L, 0, (int) NELEM(base_keep) + 4); // 4: the base
	for (size_t i = 0; i < NELEM(base_keep); i++) {
		lua_getfield(L, 1, base_keep[i]);
		lua_setfield(L, 4, base_keep[i]);
	}
	lua_createtable(L, 0, (int) NELEM(os_keep));
	for (size_t i = 0; i < NELEM(os_keep); i++) {
		lua_getfield(L, 3, os_keep[i]);
		lua_setfield(L, -2, os_keep[i]);
	}
	lua_pushvalue(L, -1);
	lua_setfield(L, 2, LUA_OSLIBNAME); // the full os leaves _LOADED
	lua_setfield(L, 4, LUA_OSLIBNAME);
	lua_pushcfunction(L, s_load);
	lua_setfield(L, 4, "load");
	lua_pushcfunction(L, s_collectgarbage);
	lua_setfield(L, 4, "collectgarbage");
	lua_pushcfunction(L, s_require);
	lua_setfield(L, 4, "require");
	lua_pushvalue(L, 4);
	lua_setfield(L, LUA_REGISTRYINDEX, BASE);
	// The real globals are replaced too, so that nothing reaching for
	// them (lua_getglobal, a chunk without an environment) finds more.
	lua_pushvalue(L, 4);
	lua_rawseti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
	lua_pushvalue(L, 4);
	lua_setfield(L, 2, LUA_GNAME);
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, LOADED);
	lua_settop(L, 0);
}

// check_plugin checks the table plugin `pi` returned (at the top of the
// stack) against its manifest and keeps references to its functions.
static void
check_plugin(lua_State *L, pdpli_state *st, uint32_t pi)
{
	const pdpli_plugin *p = &st->h->plugins[pi];
	int t = lua_gettop(L);

	if (!lua_istable(L, t))
		luaL_error(L, "%s.lua: must return a table, not a %s value",
		    p->name, luaL_typename(L, t));
	lua_pushnil(L);
	while (lua_next(L, t) != 0) {
		const char *k = lua_type(L, -2) == LUA_TSTRING ?
		    lua_tostring(L, -2) : NULL;
		if (k == NULL || (strcmp(k, "keys") != 0 &&
		    strcmp(k, "check") != 0))
			luaL_error(L, "%s.lua: the returned table may hold "
			    "only \"keys\" and \"check\"", p->name);
		lua_pop(L, 1);
	}
	lua_getfield(L, t, "check");
	if (p->check == PDPLI_CHECK_NONE && !lua_isnil(L, -1))
		luaL_error(L, "%s.lua: returns a check but %s.json has no "
		    "\"check\"", p->name, p->name);
	if (p->check != PDPLI_CHECK_NONE && !lua_isfunction(L, -1))
		luaL_error(L, "%s.lua: %s.json says \"check\" but the "
		    "returned check is a %s value", p->name, p->name,
		    luaL_typename(L, -1));
	st->checkref[pi] = p->check == PDPLI_CHECK_NONE ? LUA_NOREF :
	    luaL_ref(L, LUA_REGISTRYINDEX);
	lua_settop(L, t);

	lua_getfield(L, t, "keys");
	if (!lua_isnil(L, -1) && !lua_istable(L, -1))
		luaL_error(L, "%s.lua: \"keys\" must be a table of functions",
		    p->name);
	int kt = lua_gettop(L);
	for (uint32_t i = 0; i < st->h->nkeys; i++) {
		const pdpli_key *k = &st->h->keys[i];
		if (k->plugin != pi)
			continue;
		if (!lua_istable(L, kt) || lua_getfield(L, kt, k->name) !=
		    LUA_TFUNCTION)
			luaL_error(L, "%s.lua: keys[\"%s\"] must be a "
			    "function (declared in %s.json)", p->name,
			    k->name, p->name);
		st->keyref[i] = luaL_ref(L, LUA_REGISTRYINDEX);
	}
	if (lua_istable(L, kt)) {
		lua_pushnil(L);
		while (lua_next(L, kt) != 0) {
			bool found = false;
			const char *k = lua_type(L, -2) == LUA_TSTRING ?
			    lua_tostring(L, -2) : "?";
			for (uint32_t i = 0; i < st->h->nkeys; i++)
				if (st->h->keys[i].plugin == pi &&
				    strcmp(st->h->keys[i].name, k) == 0)
					found = true;
			if (!found)
				luaL_error(L, "%s.lua: key \"%s\" is not "
				    "declared in %s.json", p->name, k,
				    p->name);
			lua_pop(L, 1);
		}
	}
	lua_settop(L, t - 1);
}

// setup builds the sandbox and runs every plugin, in protected mode.
static int
setup(lua_State *L)
{
	pdpli_state *st = lua_touserdata(L, 1);
	uint32_t budget = st->budget;
	char chunk[80];

	lua_settop(L, 0);
	open_libs(L);
	pdpli_req_push(L, &st->req);
	st->reqref = luaL_ref(L, LUA_REGISTRYINDEX);
	// Running a plugin file may set up tables: it gets ten calls'
	// worth of instructions.
	st->budget = budget > UINT32_MAX / 10 ? UINT32_MAX : budget * 10;
	for (uint32_t i = 0; i < st->h->nplugins; i++) {
		const pdpli_plugin *p = &st->h->plugins[i];
		snprintf(chunk, sizeof(chunk), "@%s.lua", p->name);
		if (luaL_loadbufferx(L, p->src, p->srclen, chunk, "t") !=
		    LUA_OK)
			lua_error(L);
		new_env(L);
		lua_setupvalue(L, -2, 1);
		pdpli_state_arm(st);
		lua_call(L, 0, 1);
		lua_sethook(L, NULL, 0, 0);
		check_plugin(L, st, i);
	}
	st->budget = budget;
	return 0;
}

int
pdpli_state_open(pdpli_state *st, const pdpl_host *h, char *err,
    size_t errlen)
{
	lua_State *L;
	int rv;

	memset(st, 0, sizeof(*st));
	st->h = h;
	st->mem.cap = h->opt.memory;
	st->budget = h->opt.budget;
	st->reqref = LUA_NOREF;
	st->keyref = calloc(h->nkeys + 1, sizeof(*st->keyref));
	st->checkref = calloc(h->nplugins + 1, sizeof(*st->checkref));
	if (st->keyref == NULL || st->checkref == NULL)
		goto nomem;
	L = lua_newstate(pdpli_alloc, &st->mem);
	if (L == NULL)
		goto nomem;
	st->L = L;
	*(pdpli_state **) lua_getextraspace(L) = st;
	// Warnings (from finalizers, or warn()) would go to stderr: off.
	lua_setwarnf(L, NULL, NULL);
	lua_pushcfunction(L, setup);
	lua_pushlightuserdata(L, st);
	rv = lua_pcall(L, 1, 0, 0);
	lua_sethook(L, NULL, 0, 0);
	if (rv != LUA_OK) {
		const char *msg = lua_tostring(L, -1);
		if (err != NULL)
			snprintf(err, errlen, "%s", rv == LUA_ERRMEM ?
			    "plugins need more memory than the cap allows" :
			    msg != NULL ? msg : "plugin setup failed");
		pdpli_state_close(st);
		return rv == LUA_ERRMEM && !st->mem.hit ? PDP_ENOMEM :
		    PDP_EPLUGIN;
	}
	lua_settop(L, 0);
	lua_gc(L, LUA_GCCOLLECT);
	return PDP_OK;
nomem:
	if (err != NULL)
		snprintf(err, errlen, "out of memory");
	pdpli_state_close(st);
	return PDP_ENOMEM;
}

void
pdpli_state_close(pdpli_state *st)
{
	if (st->L != NULL)
		lua_close(st->L);
	free(st->keyref);
	free(st->checkref);
	st->L = NULL;
	st->keyref = NULL;
	st->checkref = NULL;
}
