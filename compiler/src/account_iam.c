// account_iam.c - one account of the model: its customer managed
// policies, groups, roles, users and resource-based policies. Defining
// comes first for every account (names, documents, ids); linking then
// resolves what refers to something else (groups, managed policy ARNs,
// boundaries), so that references may point forward and across accounts.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iamci_account.h"

// Quotas (iam-semantics 13.1-13.3). Per-entity limits that AWS never
// lets anyone raise are errors; account-wide counts are only warnings,
// so that benchmarks may model larger accounts than AWS allows.
#define USER_NAME_MAX 64
#define GROUP_NAME_MAX 128
#define ROLE_NAME_MAX 64
#define POLICY_NAME_MAX 128
#define GROUPS_PER_USER 10
#define ATTACHED_USER 20
#define ATTACHED_ROLE 25
#define ATTACHED_GROUP 10
#define VERSIONS_MAX 5
#define INLINE_USER 2048
#define INLINE_GROUP 5120
#define INLINE_ROLE 10240
#define USERS_PER_ACCOUNT 5000
#define GROUPS_PER_ACCOUNT 500
#define ROLES_PER_ACCOUNT 5000
#define POLICIES_PER_ACCOUNT 5000

static const char aws_policy_prefix[] = "arn:aws:iam::aws:policy/";

// doc_size counts a document's characters as AWS does: whitespace is not
// counted, code points are.
static size_t
doc_size(iamci_am *m, const json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT);
	size_t n = 0;

	if (text == NULL) {
		m->nomem = true;
		return 0;
	}
	for (const unsigned char *p = (const unsigned char *) text; *p; p++) {
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' &&
		    (*p & 0xC0) != 0x80)
			n++;
	}
	free(text);
	return n;
}

// array_field returns member `key` of `o` when it is an array (NULL when
// absent); anything else is reported.
static const json_t *
array_field(iamci_am *m, const json_t *o, const char *where, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (v != NULL && !json_is_array(v)) {
		char *w = iamci_am_key(m, where, key);
		iamci_am_error(m, NULL, w, "%s must be an array", key);
		return NULL;
	}
	return v;
}

static const json_t *
object_field(iamci_am *m, const json_t *o, const char *where,
    const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (v != NULL && !json_is_object(v)) {
		char *w = iamci_am_key(m, where, key);
		iamci_am_error(m, NULL, w, "%s must be an object", key);
		return NULL;
	}
	return v;
}

// unique_name reports `name` when another entity of the same kind in
// the account has it, ignoring case (IAM names are unique that way).
static void
unique_name(iamci_am *m, iamci_smap *seen, const char *name,
    const char *where, const char *what)
{
	char *f = iamci_am_fold(m, name);
	const char *w = iamci_am_strdup(m, where);
	const char *prev;

	if (f == NULL || w == NULL)
		return;
	prev = iamci_smap_put(m, seen, f, (void *) w);
	if (prev != NULL)
		iamci_am_error(m, NULL, where, "%s \"%s\" is defined twice "
		    "(names are unique ignoring case): also at %s", what, name,
		    prev);
}

// inline_policies reads an "inlinePolicies" map; `owner` ("user/alice")
// prefixes their names in explanations. Returns the total size.
static size_t
inline_policies(iamci_am *m, const json_t *o, const char *where,
    const char *owner, iamci_inline **out, uint32_t *nout)
{
	const json_t *v = object_field(m, o, where, "inlinePolicies");
	const char *key;
	json_t *doc;
	size_t total = 0;

	*out = NULL;
	*nout = 0;
	if (v == NULL)
		return 0;
	char *base = iamci_am_key(m, where, "inlinePolicies");
	iamci_inline *inl = iamci_am_alloc(m,
	    json_object_size(v) * sizeof(*inl));
	if (base == NULL || inl == NULL)
		return 0;
	json_object_foreach((json_t *) v, key, doc) {
		char *w = iamci_am_key(m, base, key);
		json_t *jk = json_string(key);
		const char *name = iamci_name_check(m, jk, w,
		    "inline policy name", POLICY_NAME_MAX);
		json_decref(jk);
		if (w == NULL || name == NULL)
			continue;
		iamci_inline *p = &inl[(*nout)++];
		p->name = key;
		iamci_am_doc(m, doc, w, PDP_POLICY_IDENTITY,
		    iamci_am_where(m, "%s/inline/%s", owner, key), &p->doc);
		p->doc.quota = IAMCI_Q_INLINE;
		if (p->doc.json != NULL)
			total += doc_size(m, p->doc.json);
	}
	*out = inl;
	return total;
}

static void
inline_quota(iamci_am *m, const char *where, size_t total, size_t max,
    const char *what)
{
	if (total > max)
		iamci_am_error(m, NULL, where, "inline policies have %zu "
		    "characters in all (whitespace not counted); a %s may "
		    "have at most %zu", total, what, max);
}

// --- customer managed policies ----------------------------------------------

// version_id checks v[1-9][0-9]*(\.[A-Za-z0-9-]*)?.
static bool
version_id(const char *s)
{
	if (s[0] != 'v' || s[1] < '1' || s[1] > '9')
		return false;
	s += 2;
	while (*s >= '0' && *s <= '9')
		s++;
	if (*s == '\0')
		return true;
	if (*s++ != '.')
		return false;
	for (; *s; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-'))
			return false;
	}
	return true;
}

static void
managed_versions(iamci_am *m, iamci_managed *p, const json_t *o,
    const char *where)
{
	const json_t *vs = json_object_get(o, "versions");
	const json_t *single = json_object_get(o, "document");
	const json_t *dv = json_object_get(o, "defaultVersion");
	char *w;

	if ((vs == NULL) == (single == NULL)) {
		iamci_am_error(m, NULL, where, "a managed policy needs either "
		    "\"document\" or \"versions\"");
		return;
	}
	if (single != NULL) {
		// The shorthand is one version, v1.
		p->versions = iamci_am_alloc(m, sizeof(*p->versions));
		w = iamci_am_key(m, where, "document");
		if (p->versions == NULL || w == NULL)
			return;
		iamci_am_doc(m, single, w, PDP_POLICY_IDENTITY, p->arn,
		    &p->versions[0]);
		p->nversions = 1;
		if (dv != NULL)
			iamci_am_error(m, NULL, iamci_am_key(m, where,
			    "defaultVersion"), "defaultVersion needs "
			    "\"versions\"");
	} else {
		w = iamci_am_key(m, where, "versions");
		if (!json_is_array(vs) || json_array_size(vs) == 0) {
			iamci_am_error(m, NULL, w, "versions must be a "
			    "non-empty array");
			return;
		}
		size_t n = json_array_size(vs);
		if (n > VERSIONS_MAX)
			iamci_am_error(m, NULL, w, "%zu versions: a managed "
			    "policy may keep at most %d", n, VERSIONS_MAX);
		p->versions = iamci_am_alloc(m, n * sizeof(*p->versions));
		if (p->versions == NULL)
			return;
		for (size_t i = 0; i < n; i++) {
			static const char *const known[] = {"id", "document",
			    NULL};
			const json_t *e = json_array_get(vs, i);
			char *ew = iamci_am_where(m, "%s[%zu]", w, i);
			if (ew == NULL)
				return;
			if (!json_is_object(e)) {
				iamci_am_error(m, NULL, ew, "a version is "
				    "{\"id\": \"v1\", \"document\": {...}}");
				continue;
			}
			iamci_am_fields(m, e, ew, known);
			const json_t *id = json_object_get(e, "id");
			char *iw = iamci_am_key(m, ew, "id");
			if (!json_is_string(id) ||
			    !version_id(json_string_value(id))) {
				iamci_am_error(m, NULL, iw, "a version id is "
				    "\"v1\", \"v2\", ...");
				continue;
			}
			for (size_t k = 0; k < i; k++) {
				const json_t *o2 = json_object_get(
				    json_array_get(vs, k), "id");
				if (json_equal((json_t *) o2, (json_t *) id))
					iamci_am_error(m, NULL, iw, "version "
					    "\"%s\" is defined twice",
					    json_string_value(id));
			}
			const json_t *doc = json_object_get(e, "document");
			if (doc == NULL) {
				iamci_am_error(m, NULL, ew,
				    "missing document");
				continue;
			}
			char *name = iamci_am_where(m, "%s (%s)", p->arn,
			    json_string_value(id));
			iamci_am_doc(m, doc, iamci_am_key(m, ew, "document"),
			    PDP_POLICY_IDENTITY, name, &p->versions[i]);
			p->versions[i].quota = IAMCI_Q_MANAGED;
		}
		p->nversions = (uint32_t) n;
	}
	p->versions[0].quota = IAMCI_Q_MANAGED;

	// The default version is the one that attaches.
	size_t def = 0;
	if (vs != NULL && dv == NULL && json_array_size(vs) > 1) {
		iamci_am_error(m, NULL, where, "defaultVersion is required "
		    "when a policy has more than one version");
		return;
	}
	if (vs != NULL && dv != NULL) {
		w = iamci_am_key(m, where, "defaultVersion");
		size_t i, n = json_array_size(vs);
		for (i = 0; i < n; i++) {
			const json_t *id = json_object_get(
			    json_array_get(vs, i), "id");
			if (json_is_string(dv) &&
			    json_equal((json_t *) id, (json_t *) dv))
				break;
		}
		if (i == n) {
			iamci_am_error(m, NULL, w,
			    "defaultVersion must be the "
			    "id of one of the versions");
			return;
		}
		def = i;
	}
	// Only the default version is compiled into the bundle, under the
	// policy's ARN; the others are validated for their diagnostics.
	p->doc = p->versions[def];
	p->doc.name = p->arn;
	p->versions[def].json = NULL;
}

static void
define_policies(iamci_am *m, iamci_account *a, const json_t *o)
{
	static const char *const known[] = {"name", "path", "description",
	    "document", "versions", "defaultVersion", NULL};
	const json_t *v = array_field(m, o, a->where, "policies");
	iamci_smap seen = {0};
	size_t n = json_array_size(v);

	if (n > POLICIES_PER_ACCOUNT)
		iamci_am_warn(m, NULL, iamci_am_key(m, a->where, "policies"),
		    "%zu customer managed policies: AWS allows at most %d per "
		    "account", n, POLICIES_PER_ACCOUNT);
	a->policies = iamci_am_alloc(m, n * sizeof(*a->policies));
	if (a->policies == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_array_get(v, i);
		char *w = iamci_am_where(m, "%s.policies[%zu]", a->where, i);
		if (w == NULL)
			break;
		if (!json_is_object(e)) {
			iamci_am_error(m, NULL, w, "a managed policy must be "
			    "an object");
			continue;
		}
		iamci_am_fields(m, e, w, known);
		const char *name = iamci_name_check(m,
		    json_object_get(e, "name"), iamci_am_key(m, w, "name"),
		    "policy name", POLICY_NAME_MAX);
		const char *path = iamci_path_check(m,
		    json_object_get(e, "path"), iamci_am_key(m, w, "path"),
		    true);
		if (name == NULL || path == NULL)
			continue;
		unique_name(m, &seen, name, w, "managed policy");
		iamci_managed *p = &a->policies[a->npolicies++];
		p->account = a->id;
		p->arn = iamci_am_where(m, "arn:aws:iam::%s:policy%s%s", a->id,
		    path, name);
		if (p->arn == NULL)
			break;
		const char *prev = iamci_smap_put(m, &m->cmmap, p->arn, p);
		(void) prev; // names are unique per account: checked above
		managed_versions(m, p, e, w);
	}
	iamci_smap_fini(&seen);
}

// --- groups, roles, users ---------------------------------------------------

static void
define_groups(iamci_am *m, iamci_account *a, const json_t *o)
{
	static const char *const known[] = {"name", "path", "description",
	    "inlinePolicies", "attachedPolicies", "groups", NULL};
	const json_t *v = array_field(m, o, a->where, "groups");
	size_t n = json_array_size(v);

	if (n > GROUPS_PER_ACCOUNT)
		iamci_am_warn(m, NULL, iamci_am_key(m, a->where, "groups"),
		    "%zu groups: AWS allows at most %d per account", n,
		    GROUPS_PER_ACCOUNT);
	a->groups = iamci_am_alloc(m, n * sizeof(*a->groups));
	if (a->groups == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_array_get(v, i);
		char *w = iamci_am_where(m, "%s.groups[%zu]", a->where, i);
		if (w == NULL)
			break;
		if (!json_is_object(e)) {
			iamci_am_error(m, NULL, w,
			    "a group must be an object");
			continue;
		}
		iamci_am_fields(m, e, w, known);
		if (json_object_get(e, "groups") != NULL)
			iamci_am_error(m, NULL, iamci_am_key(m, w, "groups"),
			    "IAM groups cannot contain groups (there is no "
			    "nesting)");
		const char *name = iamci_name_check(m,
		    json_object_get(e, "name"), iamci_am_key(m, w, "name"),
		    "group name", GROUP_NAME_MAX);
		const char *path = iamci_path_check(m,
		    json_object_get(e, "path"), iamci_am_key(m, w, "path"),
		    false);
		if (name == NULL || path == NULL)
			continue;
		iamci_group *g = &a->groups[a->ngroups++];
		g->src = e;
		g->where = w;
		g->name = name;
		g->path = path;
		char *f = iamci_am_fold(m, name);
		const iamci_group *prev = f ? iamci_smap_put(m, &a->groupmap,
		    f, g) : NULL;
		if (prev != NULL)
			iamci_am_error(m, NULL, w, "group \"%s\" is defined "
			    "twice (names are unique ignoring case): also at "
			    "%s", name, prev->where);
		size_t sz = inline_policies(m, e, w,
		    iamci_am_where(m, "group/%s", name), &g->inl, &g->ninl);
		inline_quota(m, w, sz, INLINE_GROUP, "group");
	}
}

// define_entity reads what users and roles share.
static bool
define_entity(iamci_am *m, iamci_account *a, const json_t *e, const char *w,
    bool role, iamci_entity *out)
{
	const char *kind = role ? "role" : "user";
	const char *name = iamci_name_check(m, json_object_get(e, "name"),
	    iamci_am_key(m, w, "name"), role ? "role name" : "user name",
	    role ? ROLE_NAME_MAX : USER_NAME_MAX);
	const char *path = iamci_path_check(m, json_object_get(e, "path"),
	    iamci_am_key(m, w, "path"), false);

	if (name == NULL || path == NULL)
		return false;
	out->src = e;
	out->where = w;
	out->name = name;
	out->path = path;
	out->uid = iamci_uid_check(m, json_object_get(e, "id"),
	    iamci_am_key(m, w, "id"), role ? "AROA" : "AIDA", a->id, name);
	iamci_tags_check(m, json_object_get(e, "tags"),
	    iamci_am_key(m, w, "tags"), &out->tags);
	size_t sz = inline_policies(m, e, w, iamci_am_where(m, "%s/%s", kind,
	    name), &out->inl, &out->ninl);
	inline_quota(m, w, sz, role ? INLINE_ROLE : INLINE_USER, kind);
	return true;
}

static void
define_roles(iamci_am *m, iamci_account *a, const json_t *o)
{
	static const char *const known[] = {"name", "path", "id",
	    "description", "trustPolicy", "inlinePolicies",
	    "attachedPolicies", "permissionsBoundary", "maxSessionDuration",
	    "tags", NULL};
	const json_t *v = array_field(m, o, a->where, "roles");
	iamci_smap seen = {0};
	size_t n = json_array_size(v);

	if (n > ROLES_PER_ACCOUNT)
		iamci_am_warn(m, NULL, iamci_am_key(m, a->where, "roles"),
		    "%zu roles: AWS allows at most %d per account", n,
		    ROLES_PER_ACCOUNT);
	a->roles = iamci_am_alloc(m, n * sizeof(*a->roles));
	if (a->roles == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_array_get(v, i);
		char *w = iamci_am_where(m, "%s.roles[%zu]", a->where, i);
		if (w == NULL)
			break;
		if (!json_is_object(e)) {
			iamci_am_error(m, NULL, w, "a role must be an object");
			continue;
		}
		iamci_am_fields(m, e, w, known);
		iamci_entity *r = &a->roles[a->nroles];
		if (!define_entity(m, a, e, w, true, r))
			continue;
		a->nroles++;
		unique_name(m, &seen, r->name, w, "role");
		// Only AWS creates roles under this path.
		r->service_linked = strncmp(r->path, "/aws-service-role/",
		    18) == 0;

		const json_t *t = json_object_get(e, "trustPolicy");
		char *tw = iamci_am_key(m, w, "trustPolicy");
		if (t == NULL)
			iamci_am_error(m, NULL, w,
			    "missing trustPolicy: every "
			    "role has one");
		else
			iamci_am_doc(m, t, tw, PDP_POLICY_TRUST,
			    iamci_am_where(m, "role/%s/trust", r->name),
			    &r->trust);

		const json_t *ms = json_object_get(e, "maxSessionDuration");
		r->max_session = 3600;
		if (ms != NULL) {
			json_int_t s = json_is_integer(ms) ?
			    json_integer_value(ms) : 0;
			if (s < 3600 || s > 43200)
				iamci_am_error(m, NULL, iamci_am_key(m, w,
				    "maxSessionDuration"), "maxSessionDuration"
				    " must be an integer from 3600 to 43200 "
				    "(seconds)");
			else
				r->max_session = (uint32_t) s;
		}
	}
	iamci_smap_fini(&seen);
}

static void
define_users(iamci_am *m, iamci_account *a, const json_t *o)
{
	static const char *const known[] = {"name", "path", "id",
	    "description", "groups", "inlinePolicies", "attachedPolicies",
	    "permissionsBoundary", "tags", "accessKeys", NULL};
	const json_t *v = array_field(m, o, a->where, "users");
	iamci_smap seen = {0};
	size_t n = json_array_size(v);

	if (n > USERS_PER_ACCOUNT)
		iamci_am_warn(m, NULL, iamci_am_key(m, a->where, "users"),
		    "%zu users: AWS allows at most %d per account", n,
		    USERS_PER_ACCOUNT);
	a->users = iamci_am_alloc(m, n * sizeof(*a->users));
	if (a->users == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_array_get(v, i);
		char *w = iamci_am_where(m, "%s.users[%zu]", a->where, i);
		if (w == NULL)
			break;
		if (!json_is_object(e)) {
			iamci_am_error(m, NULL, w, "a user must be an object");
			continue;
		}
		iamci_am_fields(m, e, w, known);
		iamci_entity *u = &a->users[a->nusers];
		if (!define_entity(m, a, e, w, false, u))
			continue;
		a->nusers++;
		unique_name(m, &seen, u->name, w, "user");
		iamci_keys_check(m, json_object_get(e, "accessKeys"),
		    iamci_am_key(m, w, "accessKeys"), &u->keys);
	}
	iamci_smap_fini(&seen);
}

// --- resource-based policies ------------------------------------------------

static void
define_rpols(iamci_am *m, iamci_account *a, const json_t *o)
{
	const json_t *v = object_field(m, o, a->where, "resourcePolicies");
	const char *arn;
	json_t *doc;

	if (v == NULL)
		return;
	char *base = iamci_am_key(m, a->where, "resourcePolicies");
	a->rpols = iamci_am_alloc(m, json_object_size(v) * sizeof(*a->rpols));
	if (base == NULL || a->rpols == NULL)
		return;
	json_object_foreach((json_t *) v, arn, doc) {
		char *w = iamci_am_key(m, base, arn);
		const char *seg[6] = {arn};
		int ns = 1;
		if (w == NULL)
			return;
		for (const char *p = arn; *p && ns < 6; p++)
			if (*p == ':')
				seg[ns++] = p + 1;
		if (strncmp(arn, "arn:", 4) != 0 || ns < 6) {
			iamci_am_error(m, NULL, w, "\"%s\" is not an ARN "
			    "(arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)",
			    arn);
			continue;
		}
		if (strncmp(seg[2], "iam:", 4) == 0 &&
		    strncmp(seg[5], "role/", 5) == 0) {
			iamci_am_error(m, NULL, w, "a role's resource-based "
			    "policy is its trustPolicy");
			continue;
		}
		if (seg[5] - seg[4] > 1 && (seg[5] - seg[4] != 13 ||
		    strncmp(seg[4], a->id, 12) != 0)) {
			iamci_am_error(m, NULL, w, "the resource belongs to "
			    "account \"%.*s\", not to %s",
			    (int) (seg[5] - seg[4] - 1), seg[4], a->id);
			continue;
		}
		const char *prev = iamci_smap_put(m, &m->rpolmap, arn, w);
		if (prev != NULL) {
			iamci_am_error(m, NULL, w,
			    "resource \"%s\" already has "
			    "a policy at %s", arn, prev);
			continue;
		}
		iamci_rpol *r = &a->rpols[a->nrpols++];
		r->arn = arn;
		iamci_am_doc(m, doc, w, PDP_POLICY_RESOURCE, arn, &r->doc);
	}
}

void
iamci_iam_define(iamci_am *m, iamci_account *a, const json_t *o)
{
	define_policies(m, a, o);
	define_groups(m, a, o);
	define_roles(m, a, o);
	define_users(m, a, o);
	define_rpols(m, a, o);
}

// --- references -------------------------------------------------------------

iamci_managed *
iamci_managed_ref(iamci_am *m, iamci_account *a, const json_t *v,
    const char *where)
{
	if (!json_is_string(v)) {
		iamci_am_error(m, NULL, where, "a managed policy is named by "
		    "its ARN, a string");
		return NULL;
	}
	const char *arn = json_string_value(v);
	iamci_managed *p;

	if (strncmp(arn, aws_policy_prefix, sizeof(aws_policy_prefix) - 1)
	    == 0) {
		if ((p = iamci_smap_get(&m->awsmap, arn)) != NULL)
			return p;
		const char *name = strrchr(arn, '/') + 1;
		if (m->aws == NULL) {
			if (!m->aws_failed)
				iamci_am_error(m, NULL, where, "AWS managed "
				    "policy \"%s\": no AWS managed policies "
				    "file (give \"awsManagedPolicies\" or "
				    "--aws-managed)", arn);
			return NULL;
		}
		const json_t *doc = json_object_get(m->aws, name);
		if (doc == NULL) {
			iamci_am_error(m, NULL, where, "unknown AWS managed "
			    "policy \"%s\": \"%s\" is not in %s", arn, name,
			    m->aws_inline ? "awsManagedPolicies" :
			    m->aws_file);
			return NULL;
		}
		p = iamci_am_alloc(m, sizeof(*p));
		char *inner = iamci_am_key(m, m->aws_inline ?
		    "awsManagedPolicies" : "", name);
		if (p == NULL || inner == NULL ||
		    !iamci_am_push(m, &m->awsv, &m->nawsv, &m->awscap, p))
			return NULL;
		p->arn = arn;
		p->doc.json = doc;
		p->doc.file = m->aws_file;
		p->doc.inner = inner + (inner[0] == '.'); // "Name", ["a/b"]
		p->doc.ref = where;
		p->doc.type = PDP_POLICY_AWS_MANAGED;
		p->doc.name = arn;
		iamci_smap_put(m, &m->awsmap, arn, p);
		return p;
	}
	if ((p = iamci_smap_get(&m->cmmap, arn)) == NULL) {
		if (strncmp(arn, "arn:aws:iam::", 13) != 0 ||
		    strstr(arn, ":policy/") == NULL)
			iamci_am_error(m, NULL, where, "\"%s\" is not a "
			    "managed policy ARN (arn:aws:iam::ACCOUNT:policy/"
			    "PATH/NAME or arn:aws:iam::aws:policy/NAME)", arn);
		else
			iamci_am_error(m, NULL, where, "unknown managed "
			    "policy \"%s\"", arn);
		return NULL;
	}
	if (a != NULL && strcmp(p->account, a->id) != 0) {
		iamci_am_error(m, NULL, where, "\"%s\" belongs to account %s: "
		    "an account can attach only its own and AWS managed "
		    "policies", arn, p->account);
		return NULL;
	}
	return p;
}

// link_attached resolves "attachedPolicies" into *out.
static void
link_attached(iamci_am *m, iamci_account *a, const json_t *o,
    const char *where, size_t max, const char *what, iamci_managed ***out,
    uint32_t *nout)
{
	const json_t *v = array_field(m, o, where, "attachedPolicies");
	size_t n = json_array_size(v);
	char *base = iamci_am_key(m, where, "attachedPolicies");

	*nout = 0;
	if (n == 0 || base == NULL)
		return;
	if (n > max)
		iamci_am_error(m, NULL, base, "%zu managed policies: a %s may "
		    "have at most %zu attached", n, what, max);
	*out = iamci_am_alloc(m, n * sizeof(**out));
	if (*out == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		char *w = iamci_am_where(m, "%s[%zu]", base, i);
		iamci_managed *p = w ? iamci_managed_ref(m, a,
		    json_array_get(v, i), w) : NULL;
		if (p == NULL)
			continue;
		bool dup = false;
		for (uint32_t k = 0; k < *nout; k++)
			dup |= (*out)[k] == p;
		if (dup) {
			iamci_am_error(m, NULL, w, "\"%s\" is attached twice",
			    p->arn);
			continue;
		}
		(*out)[(*nout)++] = p;
	}
}

static void
link_boundary(iamci_am *m, iamci_account *a, iamci_entity *e)
{
	const json_t *v = json_object_get(e->src, "permissionsBoundary");

	if (v != NULL)
		e->boundary = iamci_managed_ref(m, a, v,
		    iamci_am_key(m, e->where, "permissionsBoundary"));
}

static void
link_groups(iamci_am *m, iamci_account *a, iamci_entity *u)
{
	const json_t *v = array_field(m, u->src, u->where, "groups");
	size_t n = json_array_size(v);
	char *base = iamci_am_key(m, u->where, "groups");

	if (n == 0 || base == NULL)
		return;
	if (n > GROUPS_PER_USER)
		iamci_am_error(m, NULL, base, "%zu groups: a user may belong "
		    "to at most %d", n, GROUPS_PER_USER);
	u->groups = iamci_am_alloc(m, n * sizeof(*u->groups));
	if (u->groups == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_array_get(v, i);
		char *w = iamci_am_where(m, "%s[%zu]", base, i);
		if (w == NULL)
			return;
		if (!json_is_string(e)) {
			iamci_am_error(m, NULL, w, "a group is named by a "
			    "string");
			continue;
		}
		const char *name = json_string_value(e);
		char *f = iamci_am_fold(m, name);
		iamci_group *g = f ? iamci_smap_get(&a->groupmap, f) : NULL;
		if (g == NULL) {
			iamci_am_error(m, NULL, w,
			    "unknown group \"%s\"", name);
			continue;
		}
		if (strcmp(g->name, name) != 0) {
			iamci_am_error(m, NULL, w, "unknown group \"%s\" (did "
			    "you mean \"%s\"?)", name, g->name);
			continue;
		}
		bool dup = false;
		for (uint32_t k = 0; k < u->ngroups; k++)
			dup |= u->groups[k] == g;
		if (dup) {
			iamci_am_error(m, NULL, w, "group \"%s\" is listed "
			    "twice", name);
			continue;
		}
		u->groups[u->ngroups++] = g;
	}
}

void
iamci_iam_link(iamci_am *m, iamci_account *a)
{
	for (uint32_t i = 0; i < a->ngroups; i++) {
		iamci_group *g = &a->groups[i];
		link_attached(m, a, g->src, g->where, ATTACHED_GROUP, "group",
		    &g->att, &g->natt);
	}
	for (uint32_t i = 0; i < a->nroles; i++) {
		iamci_entity *r = &a->roles[i];
		link_attached(m, a, r->src, r->where, ATTACHED_ROLE, "role",
		    &r->att, &r->natt);
		link_boundary(m, a, r);
	}
	for (uint32_t i = 0; i < a->nusers; i++) {
		iamci_entity *u = &a->users[i];
		link_groups(m, a, u);
		link_attached(m, a, u->src, u->where, ATTACHED_USER, "user",
		    &u->att, &u->natt);
		link_boundary(m, a, u);
	}
}
