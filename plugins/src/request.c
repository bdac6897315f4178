// request.c - the `req` object a plugin's functions receive: the request
// being decided, read through libpdp's pdp_view (pdp.h), and, in a check,
// written with req:set. One object per state, made once and reused: a call
// builds no table unless the plugin asks for a list.

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "pdpli.h"

#define REQ_META "pdpl.req"

const char *
pdpli_arena_copy(pdpli_arena *a, const char *s, size_t n)
{
	char *p;

	if (n >= a->cap - a->used)
		return NULL;
	p = a->p + a->used;
	memcpy(p, s, n);
	p[n] = '\0';
	a->used += n + 1;
	return p;
}

void *
pdpli_arena_alloc(pdpli_arena *a, size_t n)
{
	size_t at = (a->used + 7) & ~(size_t) 7;
	void *p;

	if (at > a->cap || n > a->cap - at)
		return NULL;
	p = a->p + at;
	a->used = at + n;
	return p;
}

// live returns the body of the request object at 1, raising an error when
// it is used outside a call (a plugin kept it in a global).
static pdpli_req *
live(lua_State *L)
{
	// The state has one request object: comparing with it is exact and
	// cheaper than luaL_checkudata's metatable lookup by name.
	pdpli_req *r = lua_touserdata(L, 1);

	if (r == NULL || r != pdpli_state_get(L)->req)
		luaL_typeerror(L, 1, "req");
	if (r->view == NULL)
		luaL_error(L, "req is valid only during the call it was "
		    "passed to");
	return r;
}

static void
push_value(lua_State *L, pdp_value v)
{
	lua_pushlstring(L, v.p, v.n);
}

// push_key pushes a context key's value: a string, a list for a
// multivalued key, or nil when absent.
static int
push_key(lua_State *L, const pdp_view *v, const char *k, size_t n)
{
	const pdp_value *vals;
	uint32_t nv;
	bool multi;

	if (!pdp_view_get(v, k, n, &vals, &nv, &multi) ||
	    (!multi && nv == 0)) {
		lua_pushnil(L);
		return 1;
	}
	if (!multi) {
		push_value(L, vals[0]);
		return 1;
	}
	lua_createtable(L, (int) nv, 0);
	for (uint32_t i = 0; i < nv; i++) {
		push_value(L, vals[i]);
		lua_rawseti(L, -2, (lua_Integer) i + 1);
	}
	return 1;
}

// req:ctx(key)
static int
req_ctx(lua_State *L)
{
	pdpli_req *r = live(L);
	size_t n;
	const char *k = luaL_checklstring(L, 2, &n);

	return push_key(L, r->view, k, n);
}

// tag pushes the value of context key prefix..k.
static int
tag(lua_State *L, const char *prefix)
{
	pdpli_req *r = live(L);
	size_t n, pn = strlen(prefix);
	const char *k = luaL_checklstring(L, 2, &n);
	char buf[320];

	if (n > sizeof(buf) - pn) {
		lua_pushnil(L);
		return 1;
	}
	memcpy(buf, prefix, pn);
	memcpy(buf + pn, k, n);
	return push_key(L, r->view, buf, pn + n);
}

// req:principal_tag(k)
static int
req_principal_tag(lua_State *L)
{
	return tag(L, "aws:PrincipalTag/");
}

// req:resource_tag(k)
static int
req_resource_tag(lua_State *L)
{
	return tag(L, "aws:ResourceTag/");
}

#define RTAG "aws:requesttag/"
#define RTAG_LEN 15

// is_rtag: s starts with aws:RequestTag/ in any case (ASCII; no locale).
static bool
is_rtag(const char *s)
{
	for (size_t i = 0; i < RTAG_LEN; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char) (c + ('a' - 'A'));
		if (c != RTAG[i])
			return false;
	}
	return true;
}

// req:request_tags() -> {key = value}: every aws:RequestTag/KEY, and the
// keys of aws:TagKeys with no such entry, mapped to false (value unknown).
// Keys keep the case the request gave them.
static int
req_request_tags(lua_State *L)
{
	pdpli_req *r = live(L);
	const pdp_view *v = r->view;
	uint32_t n = pdp_view_count(v);
	const pdp_value *vals;
	uint32_t nv;
	bool multi;

	lua_createtable(L, 0, 4);
	for (uint32_t i = 0; i < n; i++) {
		pdp_value k = pdp_view_key(v, i);
		if (k.n <= RTAG_LEN || !is_rtag(k.p))
			continue;
		if (!pdp_view_get(v, k.p, k.n, &vals, &nv, &multi) || nv == 0)
			continue;
		lua_pushlstring(L, k.p + RTAG_LEN, k.n - RTAG_LEN);
		push_value(L, vals[0]);
		lua_rawset(L, -3);
	}
	if (pdp_view_get(v, "aws:TagKeys", 11, &vals, &nv, &multi)) {
		for (uint32_t i = 0; i < nv; i++) {
			push_value(L, vals[i]);
			if (lua_rawget(L, -2) == LUA_TNIL) {
				push_value(L, vals[i]);
				lua_pushboolean(L, 0);
				lua_rawset(L, -4);
			}
			lua_pop(L, 1);
		}
	}
	return 1;
}

// set_text copies the scalar at idx into the arena.
static const char *
set_text(lua_State *L, pdpli_req *r, int idx, size_t *n)
{
	const char *why = NULL;
	const char *s = pdpli_scalar(L, idx, PDPLI_STRING, r->arena, n, &why);

	if (s == NULL)
		luaL_error(L, "req:set: %s", why);
	return s;
}

// req:set(key, value_or_list): give a context key these values before
// policies are read. Only in a check.
static int
req_set(lua_State *L)
{
	pdpli_req *r = live(L);
	pdp_value vals[PDP_PROVIDER_VALUES];
	uint32_t nv = 0;
	bool multi = false;
	size_t kn;
	const char *k = luaL_checklstring(L, 2, &kn);

	if (r->wview == NULL)
		return luaL_error(L, "req:set is allowed only in a check");
	luaL_checkany(L, 3);
	k = pdpli_arena_copy(r->arena, k, kn);
	if (k == NULL)
		return luaL_error(L, "req:set: out of room for values");
	if (lua_istable(L, 3)) {
		lua_Integer len = (lua_Integer) lua_rawlen(L, 3);
		if (len > PDP_PROVIDER_VALUES)
			return luaL_error(L, "req:set: more than %d values",
			    PDP_PROVIDER_VALUES);
		multi = true;
		for (lua_Integer i = 1; i <= len; i++) {
			size_t n;
			lua_rawgeti(L, 3, i);
			vals[nv].p = set_text(L, r, -1, &n);
			vals[nv++].n = (uint32_t) n;
			lua_pop(L, 1);
		}
	} else if (!lua_isnil(L, 3)) {
		size_t n;
		vals[0].p = set_text(L, r, 3, &n);
		vals[0].n = (uint32_t) n;
		nv = 1;
	}
	// The engine keeps the pointer to the values array itself: it too
	// must outlive the call.
	pdp_value *keep = pdpli_arena_alloc(r->arena,
	    (nv + 1) * sizeof(vals[0]));
	if (keep == NULL)
		return luaL_error(L, "req:set: out of room for values");
	memcpy(keep, vals, nv * sizeof(vals[0]));
	if (pdp_view_set(r->wview, k, kn, keep, nv, multi) != PDP_OK)
		return luaL_error(L, "req:set: the request has no room for "
		    "more context keys");
	return 0;
}

// __index: the request's strings, then the methods (upvalue 1).
static int
req_index(lua_State *L)
{
	size_t n;
	const char *k;

	lua_settop(L, 2);
	lua_pushvalue(L, 2);
	if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL)
		return 1;
	if (lua_type(L, 2) != LUA_TSTRING)
		return 0;
	k = lua_tolstring(L, 2, &n);
	pdpli_req *r = live(L);
	if (n == 9 && memcmp(k, "principal", 9) == 0)
		push_value(L, pdp_view_principal(r->view));
	else if (n == 6 && memcmp(k, "action", 6) == 0)
		push_value(L, pdp_view_action(r->view));
	else if (n == 8 && memcmp(k, "resource", 8) == 0)
		push_value(L, pdp_view_resource(r->view));
	else
		lua_pushnil(L);
	return 1;
}

static int
req_newindex(lua_State *L)
{
	return luaL_error(L, "req is read-only: use req:set in a check");
}

static const luaL_Reg methods[] = {
	{"ctx", req_ctx},
	{"principal_tag", req_principal_tag},
	{"resource_tag", req_resource_tag},
	{"request_tags", req_request_tags},
	{"set", req_set},
	{NULL, NULL},
};

void
pdpli_req_push(lua_State *L, pdpli_req **out)
{
	pdpli_req *r = lua_newuserdatauv(L, sizeof(*r), 0);

	memset(r, 0, sizeof(*r));
	luaL_newmetatable(L, REQ_META);
	luaL_newlib(L, methods);
	lua_pushcclosure(L, req_index, 1);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, req_newindex);
	lua_setfield(L, -2, "__newindex");
	lua_pushboolean(L, 0);
	lua_setfield(L, -2, "__metatable");
	lua_setmetatable(L, -2);
	*out = r;
}

const char *
pdpli_scalar(lua_State *L, int idx, pdpli_type t, pdpli_arena *a,
    size_t *n, const char **why)
{
	char buf[64];
	const char *s;
	int len;

	switch (lua_type(L, idx)) {
	case LUA_TSTRING:
		s = lua_tolstring(L, idx, n);
		s = pdpli_arena_copy(a, s, *n);
		if (s == NULL)
			*why = "values too long for the worker's buffer";
		return s;
	case LUA_TBOOLEAN:
		if (t != PDPLI_BOOL && t != PDPLI_STRING)
			break;
		s = lua_toboolean(L, idx) ? "true" : "false";
		*n = strlen(s);
		return s;
	case LUA_TNUMBER:
		if (t != PDPLI_NUMERIC && t != PDPLI_DATE &&
		    t != PDPLI_STRING)
			break;
		// Formatted here: lua_tolstring would allocate in the state.
		if (lua_isinteger(L, idx)) {
			len = snprintf(buf, sizeof(buf), "%" PRId64,
			    (int64_t) lua_tointeger(L, idx));
		} else {
			double d = (double) lua_tonumber(L, idx);
			if (!isfinite(d)) {
				*why = "returned a number that is not finite";
				return NULL;
			}
			len = snprintf(buf, sizeof(buf), "%.17g", d);
		}
		*n = (size_t) len;
		s = pdpli_arena_copy(a, buf, *n);
		if (s == NULL)
			*why = "values too long for the worker's buffer";
		return s;
	default:
		break;
	}
	switch (t) {
	case PDPLI_BOOL:
		*why = "a Bool key must be a boolean or a string";
		break;
	case PDPLI_NUMERIC:
		*why = "a Numeric key must be a number or a string";
		break;
	case PDPLI_DATE:
		*why = "a Date key must be a string or epoch seconds";
		break;
	default:
		*why = t == PDPLI_STRING ? "a String value must be a string, "
		    "number or boolean" : "this key's value must be a string";
		break;
	}
	return NULL;
}
