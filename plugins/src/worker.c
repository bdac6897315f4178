// worker.c - one thread's plugins: a sandboxed lua_State made from a host
// and the pdp_provider that libpdp calls while deciding. Keys are
// computed when a condition asks (libpdp asks at most once per key and
// request); checks run before policies. Any error, the instruction budget
// or the memory cap decides Deny with the plugin's name in the reason.

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <lauxlib.h>

#include "pdpli.h"

#define WHY_MAX 512

struct pdpl_worker {
	pdpl_host *h;
	pdp_provider prov;
	pdpli_state st;          // st.L is NULL when it could not be remade
	pdpli_arena arena;       // values handed to the engine this decision
	uint32_t nchecks;        // plugins with a check
	bool tagging;            // one of them runs only on tagging requests
	char why[WHY_MAX];       // the reason of the last failure or denial
	pdpli_counts c;
	pdpl_worker *next;
	pdpl_worker **pprev;
};

const pdpli_counts *
pdpli_worker_counts(const pdpl_worker *w)
{
	return &w->c;
}

pdpl_worker *
pdpli_worker_next(const pdpl_worker *w)
{
	return w->next;
}

static const char *
say(pdpl_worker *w, const char *fmt, ...) __attribute__((format(printf, 2,
    3)));

// say writes a reason into the worker's buffer, which lives until the
// next decision on this worker.
static const char *
say(pdpl_worker *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->why, sizeof(w->why), fmt, ap);
	va_end(ap);
	return w->why;
}

// revive remakes the state after a memory error left it too full to be
// useful (or after a remake failed). False: the worker has no state.
static bool
revive(pdpl_worker *w)
{
	char err[256];

	pdpli_state_close(&w->st);
	return pdpli_state_open(&w->st, w->h, err, sizeof(err)) == PDP_OK;
}

// call runs the function below `nargs` arguments on the stack with the
// request object's view set for the call only.
static int
call(pdpl_worker *w, const pdp_view *v, pdp_view *wv, int nres)
{
	pdpli_state *st = &w->st;
	int rc;

	st->req->view = v;
	st->req->wview = wv;
	st->req->arena = &w->arena;
	st->mem.hit = false;
	pdpli_state_arm(st);
	rc = lua_pcall(st->L, 1, nres, 0);
	st->req->view = NULL;
	st->req->wview = NULL;
	pdpli_count(&w->c.calls);
	return rc;
}

// failed turns a failed call of plugin p into the provider's error.
static int
failed(pdpl_worker *w, const pdpli_plugin *p, int rc, const char **why)
{
	pdpli_state *st = &w->st;
	lua_State *L = st->L;
	// The message is read only when it is a string: converting another
	// value would allocate, and the state may be out of memory.
	const char *msg = lua_type(L, -1) == LUA_TSTRING ?
	    lua_tostring(L, -1) : NULL;

	if (rc == LUA_ERRMEM) {
		pdpli_count(st->mem.hit ? &w->c.memory : &w->c.errors);
		*why = say(w, "plugin %s: %s", p->name, st->mem.hit ?
		    "memory cap exceeded" : "out of memory");
	} else if (st->over) {
		pdpli_count(&w->c.timeouts);
		*why = say(w, "plugin %s: %s", p->name, msg != NULL ? msg :
		    "instruction budget exceeded");
	} else {
		pdpli_count(&w->c.errors);
		if (msg != NULL)
			*why = say(w, "plugin %s: %s", p->name, msg);
		else
			*why = say(w, "plugin %s: error object is a %s value",
			    p->name, luaL_typename(L, -1));
	}
	lua_settop(L, 0);
	if (rc == LUA_ERRMEM) {
		// Garbage may be all the plugin held; if live data still
		// fills half the cap, the next call would fail too: start
		// again from the plugin files.
		lua_gc(L, LUA_GCCOLLECT);
		if (st->mem.used > st->mem.cap / 2)
			(void) revive(w);
	}
	st->mem.hit = false;
	return PDP_EPLUGIN;
}

// find_key finds a declared key as a policy spells it: nearly always as
// the manifest does, so an exact pass comes before the folding one.
static uint32_t
find_key(const pdpl_host *h, const char *k, size_t n)
{
	for (uint32_t i = 0; i < h->nkeys; i++)
		if (h->keys[i].len == n && memcmp(h->keys[i].name, k, n) == 0)
			return i;
	for (uint32_t i = 0; i < h->nkeys; i++)
		if (h->keys[i].len == n && strncasecmp(h->keys[i].name, k,
		    n) == 0)
			return i;
	return UINT32_MAX;
}

static int
bad_value(pdpl_worker *w, const pdpli_plugin *p, const pdpli_key *k,
    const char *what, const char **why)
{
	pdpli_count(&w->c.errors);
	lua_settop(w->st.L, 0);
	*why = say(w, "plugin %s: key %s: %s", p->name, k->name, what);
	return PDP_EPLUGIN;
}

static int
w_key(void *arg, const pdp_view *v, const char *key, size_t keylen,
    pdp_value *vals, uint32_t *n, bool *multi, const char **why)
{
	pdpl_worker *w = arg;
	uint32_t ki = find_key(w->h, key, keylen);
	const pdpli_key *k;
	const pdpli_plugin *p;
	lua_State *L;
	const char *what = NULL;
	size_t len;
	int rc;

	if (ki == UINT32_MAX) {
		*why = say(w, "plugins: no plugin declares condition key "
		    "\"%.*s\"", (int) (keylen > 128 ? 128 : keylen), key);
		return PDP_EPLUGIN;
	}
	k = &w->h->keys[ki];
	p = &w->h->plugins[k->plugin];
	if (w->st.L == NULL && !revive(w)) {
		*why = say(w, "plugin %s: no Lua state (out of memory)",
		    p->name);
		return PDP_EPLUGIN;
	}
	L = w->st.L;
	lua_rawgeti(L, LUA_REGISTRYINDEX, w->st.keyref[ki]);
	lua_rawgeti(L, LUA_REGISTRYINDEX, w->st.reqref);
	if ((rc = call(w, v, NULL, 1)) != LUA_OK)
		return failed(w, p, rc, why);
	switch (lua_type(L, -1)) {
	case LUA_TNIL:
		lua_settop(L, 0);
		return PDP_ENOENT;
	case LUA_TTABLE: {
		lua_Unsigned nv = lua_rawlen(L, -1);
		if (nv > PDP_PROVIDER_VALUES)
			return bad_value(w, p, k, "a list of more than 16 "
			    "values", why);
		for (lua_Unsigned i = 0; i < nv; i++) {
			lua_rawgeti(L, -1, (lua_Integer) i + 1);
			vals[i].p = pdpli_scalar(L, -1, k->type, &w->arena,
			    &len, &what);
			if (vals[i].p == NULL)
				return bad_value(w, p, k, what, why);
			vals[i].n = (uint32_t) len;
			lua_pop(L, 1);
		}
		*n = (uint32_t) nv;
		*multi = true;
		break;
	}
	default:
		vals[0].p = pdpli_scalar(L, -1, k->type, &w->arena, &len,
		    &what);
		if (vals[0].p == NULL)
			return bad_value(w, p, k, what, why);
		vals[0].n = (uint32_t) len;
		*n = 1;
		*multi = false;
		break;
	}
	lua_settop(L, 0);
	return PDP_OK;
}

// is_prefix compares ASCII case-insensitively with a lower-case `lower`;
// strncasecmp goes through the locale, and this runs on every request
// when a tag rule is loaded.
static bool
is_prefix(const char *s, const char *lower, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char) (c + ('a' - 'A'));
		if (c != lower[i])
			return false;
	}
	return true;
}

// has_request_tags: whether the request tags anything (aws:RequestTag/*
// or aws:TagKeys), which is when tag rules apply. Keys of other requests
// fail at their fifth character ("aws:R..." or "aws:T...").
static bool
has_request_tags(const pdp_view *v)
{
	uint32_t n = pdp_view_count(v);

	for (uint32_t i = 0; i < n; i++) {
		pdp_value k = pdp_view_key(v, i);
		char c5 = (char) (k.p[k.n < 5 ? 0 : 4] | 0x20);
		if (k.n < 11 || (c5 != 'r' && c5 != 't'))
			continue;
		if ((k.n > 15 && is_prefix(k.p, "aws:requesttag/", 15)) ||
		    (k.n == 11 && is_prefix(k.p, "aws:tagkeys", 11)))
			return true;
	}
	return false;
}

static int
w_check(void *arg, pdp_view *v, const char **why)
{
	pdpl_worker *w = arg;
	const pdpl_host *h = w->h;
	int tagged = -1;
	int rc;

	// A decision starts here: the values of the last one are done.
	w->arena.used = 0;
	if (w->nchecks == 0)
		return PDP_OK;
	for (uint32_t i = 0; i < h->nplugins; i++) {
		const pdpli_plugin *p = &h->plugins[i];
		if (p->check == PDPLI_CHECK_NONE)
			continue;
		if (p->check == PDPLI_CHECK_TAGGING) {
			if (tagged < 0)
				tagged = has_request_tags(v);
			if (!tagged)
				continue;
		}
		if (w->st.L == NULL && !revive(w)) {
			*why = say(w, "plugin %s: no Lua state (out of "
			    "memory)", p->name);
			return PDP_EPLUGIN;
		}
		lua_State *L = w->st.L;
		lua_rawgeti(L, LUA_REGISTRYINDEX, w->st.checkref[i]);
		lua_rawgeti(L, LUA_REGISTRYINDEX, w->st.reqref);
		if ((rc = call(w, v, v, 2)) != LUA_OK)
			return failed(w, p, rc, why);
		if (lua_isnil(L, -2) || (lua_isboolean(L, -2) &&
		    lua_toboolean(L, -2))) {
			lua_settop(L, 0);
			continue;
		}
		if (lua_isboolean(L, -2)) {
			const char *r = lua_type(L, -1) == LUA_TSTRING ?
			    lua_tostring(L, -1) : "denied";
			*why = say(w, "plugin %s: %s", p->name, r);
			pdpli_count(&w->c.denials);
			pdpli_count_rule(&w->c, r);
			lua_settop(L, 0);
			return PDP_EPOLICY;
		}
		pdpli_count(&w->c.errors);
		*why = say(w, "plugin %s: check returned a %s value; it must "
		    "return nil (go on) or false and \"rule: why\"", p->name,
		    luaL_typename(L, -2));
		lua_settop(L, 0);
		return PDP_EPLUGIN;
	}
	return PDP_OK;
}

int
pdpl_worker_open(pdpl_host *h, pdpl_worker **out, char *err, size_t errlen)
{
	pdpl_worker *w = calloc(1, sizeof(*w));
	int rv;

	if (w == NULL || (w->arena.p = malloc(PDPLI_ARENA)) == NULL) {
		free(w);
		if (err != NULL)
			snprintf(err, errlen, "out of memory");
		return PDP_ENOMEM;
	}
	w->arena.cap = PDPLI_ARENA;
	if ((rv = pdpli_state_open(&w->st, h, err, errlen)) != PDP_OK) {
		free(w->arena.p);
		free(w);
		return rv;
	}
	for (uint32_t i = 0; i < h->nplugins; i++) {
		if (h->plugins[i].check != PDPLI_CHECK_NONE)
			w->nchecks++;
		if (h->plugins[i].check == PDPLI_CHECK_TAGGING)
			w->tagging = true;
	}
	w->prov.name = "plugins";
	w->prov.arg = w;
	w->prov.key = w_key;
	// The check also marks where a decision starts (the arena is
	// reset), so it is set even when no plugin has a check.
	w->prov.check = w_check;
	pdpl_host_hold(h);
	w->h = h;
	pthread_mutex_lock(&h->mu);
	w->next = h->workers;
	if (w->next != NULL)
		w->next->pprev = &w->next;
	w->pprev = &h->workers;
	h->workers = w;
	pthread_mutex_unlock(&h->mu);
	*out = w;
	return PDP_OK;
}

void
pdpl_worker_close(pdpl_worker *w)
{
	if (w == NULL)
		return;
	pdpl_host *h = w->h;
	pthread_mutex_lock(&h->mu);
	pdpli_stats_add(&h->retired, &w->c);
	*w->pprev = w->next;
	if (w->next != NULL)
		w->next->pprev = w->pprev;
	pthread_mutex_unlock(&h->mu);
	pdpli_state_close(&w->st);
	free(w->arena.p);
	free(w);
	pdpl_host_close(h);
}

const pdp_provider *
pdpl_worker_provider(pdpl_worker *w)
{
	return &w->prov;
}
