// iamci_account.h - internals of the account-model compiler
// (iamc_account.h, compiler/ACCOUNT.md), shared by its files:
//
//   account.c        entry points: load, validate, compile, feed
//   account_load.c   files, {"file": ...} documents, diagnostics, maps
//   account_names.c  names, paths, ids, tags (iam-semantics 13.1)
//   account_iam.c    one account: users, groups, roles, managed policies,
//                    resource policies, and their references
//   account_org.c    the organization: SCPs, RCPs, the tree, the levels
//   account_build.c  compile every document and feed the builder
//
// The model (iamci_am) lives in its own arena and borrows strings from
// the loaded JSON, which stays loaded until the compile ends. Compiled
// policies live in the builder's arena.

#ifndef IAMCI_ACCOUNT_H
#define IAMCI_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "iamc_account.h"
#include "iamci.h"

// --- maps (account_load.c) --------------------------------------------------

// A string-keyed hash map; keys are copied into the model's arena.
typedef struct iamci_smap {
	uint64_t *h;
	const char **k;
	void **v;
	size_t cap, n;
} iamci_smap;

// --- the model --------------------------------------------------------------

// A policy document and where it came from. `json` is NULL when it could
// not be loaded (the problem was reported).
typedef struct iamci_doc {
	const json_t *json;
	const char *file;  // the file that holds `json`
	const char *inner; // JSON path of `json` in that file ("": all of it)
	const char *ref;   // where the model refers to it, when `file` is
	                   // not the model file; else NULL
	pdp_policy_type type;
	const char *name;  // its name in explanations
	uint8_t quota;     // enum iamci_quota: extra checks on the document
	bool done;         // compiled (or tried to)
	const pdpi_policy *p; // compiled (account_build.c)
} iamci_doc;

enum iamci_quota {
	IAMCI_Q_NONE = 0,
	IAMCI_Q_MANAGED = 1, // customer managed: Version 2012-10-17, 6144
	IAMCI_Q_INLINE = 2,  // inline: counted per entity by the caller
};

// A managed policy: customer managed (defined in an account) or AWS
// managed (resolved from the AWS managed policies file when referenced).
typedef struct iamci_managed {
	const char *arn;
	const char *account; // NULL for AWS managed policies
	iamci_doc doc;       // the default version
	iamci_doc *versions; // every version (customer managed), validated
	uint32_t nversions;
} iamci_managed;

typedef struct iamci_inline {
	const char *name;
	iamci_doc doc;
} iamci_inline;

typedef struct iamci_group {
	const json_t *src; // its JSON object, for iamci_iam_link
	const char *where;
	const char *name, *path;
	iamci_inline *inl;
	uint32_t ninl;
	iamci_managed **att;
	uint32_t natt;
} iamci_group;

typedef struct iamci_tags {
	const char **k, **v;
	uint32_t n;
} iamci_tags;

// Long-term access keys of a user or root user: ids and status only (a
// model never holds a secret).
typedef struct iamci_keys {
	const char **id;
	bool *active;
	uint32_t n;
} iamci_keys;

// A user or a role.
typedef struct iamci_entity {
	const json_t *src; // its JSON object, for iamci_iam_link
	const char *where;
	const char *name, *path, *uid;
	iamci_inline *inl;
	uint32_t ninl;
	iamci_managed **att;
	uint32_t natt;
	iamci_managed *boundary; // NULL: none
	iamci_tags tags;
	iamci_keys keys;         // users
	iamci_group **groups;    // users
	uint32_t ngroups;
	iamci_doc trust;         // roles
	uint32_t max_session;    // roles
	bool service_linked;     // roles under /aws-service-role/
} iamci_entity;

typedef struct iamci_rpol {
	const char *arn;
	iamci_doc doc;
} iamci_rpol;

// The policies attached at one organization level.
typedef struct iamci_level {
	iamci_doc **v;
	uint32_t n;
} iamci_level;

typedef struct iamci_account {
	const char *id;
	const char *where; // "accounts[3]"
	iamci_entity *users;
	uint32_t nusers;
	iamci_group *groups;
	uint32_t ngroups;
	iamci_entity *roles;
	uint32_t nroles;
	iamci_managed *policies; // customer managed
	uint32_t npolicies;
	iamci_rpol *rpols;
	uint32_t nrpols;
	iamci_smap groupmap; // folded group name -> iamci_group
	iamci_keys root_keys; // the root user's access keys
	bool in_org;       // placed in the organization tree
	iamci_level *scp;  // root first; none for the management account
	uint32_t nscp;     // and for accounts outside the organization
	iamci_level *rcp;
	uint32_t nrcp;
} iamci_account;

typedef struct iamci_am {
	iamc_arena *a;        // the model's memory
	iamc_diags *d;
	const char *file;     // the model file, as given
	char *dir;            // its folder, with a trailing '/', or ""
	json_t *root;         // the model
	bool nomem;
	json_t *files;        // path -> loaded document file (owned)
	json_t *aws;          // the AWS managed policies file, or NULL
	const char *aws_file; // its path, for diagnostics
	const char *aws_where; // where it was named ("awsManagedPolicies")
	bool aws_failed;      // it was named but could not be loaded
	bool aws_inline;      // it is the model's own awsManagedPolicies
	iamci_account *acc;
	uint32_t nacc;
	iamci_smap accmap;    // id -> iamci_account
	iamci_smap cmmap;     // customer managed ARN -> iamci_managed
	iamci_smap awsmap;    // AWS managed name -> iamci_managed
	iamci_smap uidmap;    // unique id -> where it was given
	iamci_smap keymap;    // access key id -> where it was given
	iamci_smap rpolmap;   // resource ARN -> where it was given
	void **awsv;          // iamci_managed: AWS managed policies
	uint32_t nawsv, awscap; // referenced, in order
	void **orgv;          // iamci_doc: every SCP and RCP defined
	uint32_t norgv, orgcap;
	iamci_doc *full_scp;  // FullAWSAccess
	iamci_doc *full_rcp;  // RCPFullAWSAccess
	const char *mgmt;     // management account id, or NULL
	uint32_t ncompiled;   // documents compiled
	const iamc_compile_options *policy; // plugin keys, or NULL
} iamci_am;

// --- account_load.c ---------------------------------------------------------

// iamci_am_error and iamci_am_warn report a problem in `file` (NULL: the
// model file) at JSON path `where`.
void iamci_am_error(iamci_am *m, const char *file, const char *where,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void iamci_am_warn(iamci_am *m, const char *file, const char *where,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

// iamci_am_alloc returns n zeroed bytes of the model's arena (NULL and
// m->nomem set when out of memory); iamci_am_strdup copies a string.
void *iamci_am_alloc(iamci_am *m, size_t n);
char *iamci_am_strdup(iamci_am *m, const char *s);
// iamci_am_where formats a JSON path into the model's arena.
char *iamci_am_where(iamci_am *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
// iamci_am_key appends member `key` to path `base` (".key", or
// ["key"] when the key is not a plain word) into the model's arena.
char *iamci_am_key(iamci_am *m, const char *base, const char *key);

// iamci_am_load_json reads and parses a JSON file (duplicate keys
// rejected); problems are reported against `where` in the model file.
// `path` is used as given. Returns a new reference, or NULL.
json_t *iamci_am_load_json(iamci_am *m, const char *path, const char *where,
    const char *what);

// iamci_am_resolve returns `rel` resolved against the model's folder, in
// the model's arena (absolute paths are kept).
char *iamci_am_resolve(iamci_am *m, const char *rel);

// iamci_am_doc fills *doc from the document value `v` at `where`: an
// inline document object, or {"file": "relative/path.json"}. Reports
// and leaves doc->json NULL when neither.
void iamci_am_doc(iamci_am *m, const json_t *v, const char *where,
    pdp_policy_type type, const char *name, iamci_doc *doc);

// iamci_am_fields reports every member of object `o` (at `where`) whose
// name is not in the NULL-terminated list `known`.
void iamci_am_fields(iamci_am *m, const json_t *o, const char *where,
    const char *const *known);

// iamci_smap_put maps `key` to `val` unless it is mapped already: then
// returns the existing value and changes nothing. Returns NULL after a
// new insertion (or when out of memory, with m->nomem set).
void *iamci_smap_put(iamci_am *m, iamci_smap *s, const char *key,
    void *val);
// iamci_smap_get returns the value mapped to `key`, or NULL.
void *iamci_smap_get(const iamci_smap *s, const char *key);
void iamci_smap_fini(iamci_smap *s);

// iamci_am_push appends `p` to a growing array of pointers in the arena.
bool iamci_am_push(iamci_am *m, void ***v, uint32_t *n, uint32_t *cap,
    void *p);

// iamci_am_fold returns `s` folded to ASCII lower case, in the arena.
char *iamci_am_fold(iamci_am *m, const char *s);

// --- account_names.c --------------------------------------------------------

// Each check reports what is wrong with value `v` at `where` and
// returns its string, or NULL when it is not valid. `what` names it in
// messages ("user name").
const char *iamci_name_check(iamci_am *m, const json_t *v, const char *where,
    const char *what, size_t max);
// iamci_path_check checks an entity path ("/" when `v` is NULL).
const char *iamci_path_check(iamci_am *m, const json_t *v, const char *where,
    bool managed);
// iamci_uid_check checks a given unique id against `prefix`, or
// generates one when `v` is NULL; every id must be unique in the model.
const char *iamci_uid_check(iamci_am *m, const json_t *v, const char *where,
    const char *prefix, const char *account, const char *name);
// iamci_keys_check reads an "accessKeys" array into *k: each
// {"accessKeyId": "AKIA...", "status": "Active"|"Inactive"}, at most two,
// ids unique in the model.
void iamci_keys_check(iamci_am *m, const json_t *v, const char *where,
    iamci_keys *k);
// iamci_tags_check reads a tag map into *t.
void iamci_tags_check(iamci_am *m, const json_t *v, const char *where,
    iamci_tags *t);
// iamci_account_id_check checks a 12-digit account id.
const char *iamci_account_id_check(iamci_am *m, const json_t *v,
    const char *where);

// --- account_iam.c ----------------------------------------------------------

// iamci_iam_define reads the definitions of account `a` (object `o` at
// a->where): names, groups, policies, roles and users, without resolving
// references to managed policies.
void iamci_iam_define(iamci_am *m, iamci_account *a, const json_t *o);
// iamci_iam_link resolves every reference of account `a`: groups of
// users, managed policies, boundaries. Run after every account is
// defined.
void iamci_iam_link(iamci_am *m, iamci_account *a);
// iamci_managed_ref resolves a managed policy ARN referenced at `where`
// from account `a` (NULL: from outside any account, where any customer
// managed policy may be named); reports and returns NULL when it does
// not exist or `a` may not attach it.
iamci_managed *iamci_managed_ref(iamci_am *m, iamci_account *a,
    const json_t *v, const char *where);

// --- account_org.c ----------------------------------------------------------

// iamci_org_read reads "organization" and gives every account in it its
// SCP and RCP levels. Run after the accounts are defined.
void iamci_org_read(iamci_am *m, const json_t *org, const char *where);

// --- account_build.c --------------------------------------------------------

// iamci_am_compile compiles every document of the model into the
// builder's arena, reporting every problem. Returns PDP_OK, PDP_EPOLICY
// or PDP_ENOMEM.
int iamci_am_compile(iamci_am *m, iamc_builder *b);
// iamci_am_feed adds the compiled model to the builder.
int iamci_am_feed(iamci_am *m, iamc_builder *b,
    const iamc_account_options *opt, iamc_account_stats *st);

#endif // IAMCI_ACCOUNT_H
