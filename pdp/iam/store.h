// store.h - the IAM service's store interface: every read and write of
// accounts, identities, policies and credentials goes through here. The
// embedded backend is SQLite (store_sqlite.c); no SQL lives anywhere
// else, so a PostgreSQL backend implements this same header.
//
// Conventions. Every function returns PDP_OK, PDP_ENOENT (no such row),
// PDP_EINVAL (a unique or reference constraint refused the write: a
// duplicate name, a row still referenced), PDP_ENOMEM or PDP_EIO (the
// database failed; `iams_store_errmsg` says why). Records handed to a
// callback are borrowed for the duration of the callback; records filled
// by a `get` own their strings until the matching `_fini`. Names are
// compared ignoring ASCII case where IAM does (users, groups, roles,
// managed policies, user and role tag keys). A store handle belongs to
// one thread at a time.

#ifndef IAMS_STORE_H
#define IAMS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdp.h"

typedef struct iams_store iams_store;

// The kinds of entity. Root is an entity so that its credentials (access
// keys, password) hang off it like a user's.
typedef enum iams_kind {
	IAMS_ROOT = 0,
	IAMS_USER = 1,
	IAMS_GROUP = 2,
	IAMS_ROLE = 3,
} iams_kind;

// iams_store_open opens (creating when absent) the store at `path`,
// brings its schema up to date with the ordered migrations, and sets
// *out. `err` (errlen bytes, may be NULL) says why on failure.
int iams_store_open(const char *path, iams_store **out, char *err,
    size_t errlen);

// iams_store_close closes the store; close(NULL) is a no-op.
void iams_store_close(iams_store *st);

// iams_store_errmsg returns the backend's text for the last failure
// (static or valid until the next call on `st`).
const char *iams_store_errmsg(iams_store *st);

// iams_store_schema_version returns the schema version the store is at.
int iams_store_schema_version(iams_store *st);

// iams_store_begin starts the transaction of one API call (`write`:
// take the write lock now, so the call never fails half way on a
// concurrent writer); commit makes it durable before returning;
// rollback discards it (a no-op outside a transaction).
int iams_store_begin(iams_store *st, bool write);
int iams_store_commit(iams_store *st);
void iams_store_rollback(iams_store *st);

// iams_store_revision returns the store's revision: it grows by one with
// every committed write of what the bundle holds (iams_store_bump, inside
// the write; MFA device writes do not bump it).
int iams_store_revision(iams_store *st, uint64_t *out);
int iams_store_bump(iams_store *st);
// iams_store_revision_raise is a bump that lands on `at_least` when that
// is higher (an import carries its model's revision on).
int iams_store_revision_raise(iams_store *st, uint64_t at_least);

// --- Accounts ----------------------------------------------------------------

int iams_store_account_create(iams_store *st, const char *id,
    int64_t now);
int iams_store_account_exists(iams_store *st, const char *id);
int iams_store_account_delete(iams_store *st, const char *id);
int iams_store_account_list(iams_store *st,
    int (*cb)(void *arg, const char *id), void *arg);

// --- Entities: root, users, groups, roles ------------------------------------

typedef struct iams_entity {
	int64_t eid;           // the store's key; stable across renames
	iams_kind kind;
	char *account;
	char *name;
	char *path;
	char *uid;             // AIDA..., AGPA..., AROA...
	int64_t created;       // Unix seconds
	char *description;     // NULL when none
	char *trust;           // roles: the trust policy document
	int64_t max_session;   // roles: seconds
	int64_t boundary;      // users, roles: policy key, 0 when none
	int64_t last_used;     // roles: last AssumeRole, 0 never
} iams_entity;

// iams_entity_fini frees the strings of a record filled by a get.
void iams_entity_fini(iams_entity *e);

// iams_store_entity_insert adds `e` (eid ignored) and sets *eid.
// PDP_EINVAL when the name (ignoring case) or unique id is taken.
int iams_store_entity_insert(iams_store *st, const iams_entity *e,
    int64_t *eid);

// iams_store_entity_get finds an entity by account, kind and name
// (ignoring case), or by key with iams_store_entity_by_eid.
int iams_store_entity_get(iams_store *st, const char *account,
    iams_kind kind, const char *name, iams_entity *out);
int iams_store_entity_by_eid(iams_store *st, int64_t eid,
    iams_entity *out);

// iams_store_entity_update rewrites name, path, description, trust,
// max_session and boundary of entity e->eid. PDP_EINVAL on a name taken.
int iams_store_entity_update(iams_store *st, const iams_entity *e);

// iams_store_role_used records an AssumeRole of role `eid` at `when`
// (GetRole's RoleLastUsed).
int iams_store_role_used(iams_store *st, int64_t eid, int64_t when);

// iams_store_entity_delete removes an entity with everything that hangs
// off it (memberships, inline policies, attachments, tags, keys, login
// profile): IAM's DeleteConflict rules are the caller's to apply first.
int iams_store_entity_delete(iams_store *st, int64_t eid);

// iams_store_entity_list calls `cb` for the entities of `kind` in
// `account` whose path begins with `prefix` (NULL: all) and whose name
// sorts after `after` ignoring case (NULL: from the start), in name order,
// at most `max` (0: no limit). A non-zero return of `cb` stops the walk
// and is returned.
int iams_store_entity_list(iams_store *st, const char *account,
    iams_kind kind, const char *prefix, const char *after, uint32_t max,
    int (*cb)(void *arg, const iams_entity *e), void *arg);

// iams_store_entity_count sets *n to the number of entities of `kind` in
// `account`.
int iams_store_entity_count(iams_store *st, const char *account,
    iams_kind kind, uint32_t *n);

// --- Group membership --------------------------------------------------------

// iams_store_member_add: PDP_EINVAL when already a member.
int iams_store_member_add(iams_store *st, int64_t group, int64_t user);
int iams_store_member_remove(iams_store *st, int64_t group, int64_t user);
// iams_store_member_groups lists the groups of `user` (by name), and
// iams_store_member_users the users of `group`.
int iams_store_member_groups(iams_store *st, int64_t user,
    int (*cb)(void *arg, const iams_entity *e), void *arg);
int iams_store_member_users(iams_store *st, int64_t group,
    int (*cb)(void *arg, const iams_entity *e), void *arg);

// --- Managed policies and their versions --------------------------------------

typedef struct iams_policy {
	int64_t pid;
	char *account;
	char *name;
	char *path;
	char *arn;
	char *policy_id;       // ANPA...
	char *description;     // NULL when none
	char *default_version; // "v1"
	int64_t next_version;  // the number the next version gets
	int64_t created, updated;
	uint32_t attachments;  // attached to users, groups, roles
	uint32_t boundaries;   // used as a permissions boundary
} iams_policy;

void iams_policy_fini(iams_policy *p);

int iams_store_policy_insert(iams_store *st, const iams_policy *p,
    int64_t *pid);
int iams_store_policy_get(iams_store *st, const char *arn,
    iams_policy *out);
int iams_store_policy_by_pid(iams_store *st, int64_t pid,
    iams_policy *out);
// iams_store_policy_update rewrites default_version, next_version and
// updated of p->pid.
int iams_store_policy_update(iams_store *st, const iams_policy *p);
// iams_store_policy_delete removes a policy with its versions and tags;
// PDP_EINVAL while it is attached or a boundary.
int iams_store_policy_delete(iams_store *st, int64_t pid);
// iams_store_policy_list lists the policies of `account` as
// iams_store_entity_list lists entities (`only_attached`: those attached
// or used as a boundary).
int iams_store_policy_list(iams_store *st, const char *account,
    const char *prefix, bool only_attached, const char *after,
    uint32_t max, int (*cb)(void *arg, const iams_policy *p), void *arg);
int iams_store_policy_count(iams_store *st, const char *account,
    uint32_t *n);

typedef struct iams_version {
	char *id;       // "v3"
	char *document; // the JSON text as given
	int64_t created;
} iams_version;

void iams_version_fini(iams_version *v);

int iams_store_version_insert(iams_store *st, int64_t pid,
    const iams_version *v);
int iams_store_version_get(iams_store *st, int64_t pid, const char *id,
    iams_version *out);
int iams_store_version_delete(iams_store *st, int64_t pid, const char *id);
// iams_store_version_list lists versions oldest first.
int iams_store_version_list(iams_store *st, int64_t pid,
    int (*cb)(void *arg, const iams_version *v), void *arg);

// --- Attachments -------------------------------------------------------------

// iams_store_attach: PDP_EINVAL when attached already.
int iams_store_attach(iams_store *st, int64_t eid, int64_t pid);
int iams_store_detach(iams_store *st, int64_t eid, int64_t pid);
// iams_store_attached lists the policies attached to `eid` in the order
// they were attached.
int iams_store_attached(iams_store *st, int64_t eid,
    int (*cb)(void *arg, const iams_policy *p), void *arg);
// iams_store_attached_to lists the entities `pid` is attached to.
int iams_store_attached_to(iams_store *st, int64_t pid,
    int (*cb)(void *arg, const iams_entity *e), void *arg);

// --- Inline policies ---------------------------------------------------------

// iams_store_inline_put adds or replaces inline policy `name` of `eid`.
int iams_store_inline_put(iams_store *st, int64_t eid, const char *name,
    const char *document);
// iams_store_inline_get sets *doc (malloc'd; free it).
int iams_store_inline_get(iams_store *st, int64_t eid, const char *name,
    char **doc);
int iams_store_inline_delete(iams_store *st, int64_t eid,
    const char *name);
// iams_store_inline_list lists (name, document) in name order.
int iams_store_inline_list(iams_store *st, int64_t eid,
    int (*cb)(void *arg, const char *name, const char *doc), void *arg);

// --- Tags --------------------------------------------------------------------

// Tags hang off an entity (keys ignore case: a new key replaces one that
// differs only in case, keeping the new spelling) or off a managed policy
// (`policy` true; keys are case-sensitive), as IAM does.
int iams_store_tag_set(iams_store *st, bool policy, int64_t owner,
    const char *key, const char *value);
int iams_store_tag_delete(iams_store *st, bool policy, int64_t owner,
    const char *key);
// iams_store_tag_list lists tags in key order.
int iams_store_tag_list(iams_store *st, bool policy, int64_t owner,
    int (*cb)(void *arg, const char *key, const char *value), void *arg);

// --- Access keys -------------------------------------------------------------

typedef struct iams_key {
	char *key_id;          // AKIA...
	int64_t eid;           // the owning user or root
	bool active;
	const uint8_t *secret; // the sealed secret (see keys.c); borrowed
	size_t secret_len;
	int64_t created;
	int64_t last_used;     // 0: never
	char *last_service;    // NULL: never
	char *last_region;
} iams_key;

void iams_key_fini(iams_key *k);

int iams_store_key_insert(iams_store *st, const iams_key *k);
// iams_store_key_get fills *out; out->secret stays valid until fini.
int iams_store_key_get(iams_store *st, const char *key_id, iams_key *out);
int iams_store_key_set_status(iams_store *st, const char *key_id,
    bool active);
int iams_store_key_delete(iams_store *st, const char *key_id);
// iams_store_key_used records a signed request's use of a key
// (GetAccessKeyLastUsed): when, and the service and region it called.
int iams_store_key_used(iams_store *st, const char *key_id, int64_t when,
    const char *service, const char *region);
// iams_store_key_list lists the keys of `eid` oldest first (secret NULL).
int iams_store_key_list(iams_store *st, int64_t eid,
    int (*cb)(void *arg, const iams_key *k), void *arg);

// --- Login profiles and passwords -------------------------------------------

typedef struct iams_login {
	char *hash;            // argon2id encoded hash
	int64_t created;
	int64_t changed;       // when the password was last set
	bool reset_required;
} iams_login;

void iams_login_fini(iams_login *l);

// iams_store_login_put creates or replaces the login profile of `eid`;
// the old hash, if any, goes to the password history.
int iams_store_login_put(iams_store *st, int64_t eid, const iams_login *l);
int iams_store_login_get(iams_store *st, int64_t eid, iams_login *out);
int iams_store_login_delete(iams_store *st, int64_t eid);
// iams_store_login_history lists the newest `max` earlier hashes of `eid`.
int iams_store_login_history(iams_store *st, int64_t eid, uint32_t max,
    int (*cb)(void *arg, const char *hash), void *arg);

// An account's password policy (UpdateAccountPasswordPolicy).
typedef struct iams_pwpolicy {
	uint32_t min_length;        // 6-128
	bool symbols, numbers, upper, lower;
	bool allow_change;          // users may change their own password
	uint32_t max_age;           // days, 0: never expires
	uint32_t reuse;             // remembered passwords, 0: none
	bool hard_expiry;
} iams_pwpolicy;

int iams_store_pwpolicy_put(iams_store *st, const char *account,
    const iams_pwpolicy *p);
int iams_store_pwpolicy_get(iams_store *st, const char *account,
    iams_pwpolicy *out);
int iams_store_pwpolicy_delete(iams_store *st, const char *account);

// --- MFA devices -------------------------------------------------------------

// A TOTP device of an account: virtual (CreateVirtualMFADevice) or a
// hardware token registered by serial and seed. It is assigned (enabled
// for a user or for root) or not; a user's devices are its MFA devices.
// Deleting the user or root (iams_store_entity_delete) unassigns them.
typedef struct iams_mfa {
	int64_t did;           // the store's key
	char *account;
	char *serial;          // virtual: its ARN; hardware: the token's serial
	char *name;            // virtual: its name; hardware: the serial
	char *path;            // virtual: its path; hardware: "/"
	bool is_virtual;
	const uint8_t *seed;   // the seed sealed with the store key, never
	size_t seed_len;       // the clear one; owned until fini
	int64_t eid;           // the user or root it is enabled for; 0: none
	int64_t enabled;       // when it was enabled (Unix seconds)
	int64_t last_step;     // the last TOTP step accepted; -1: none yet
	int64_t drift;         // steps the device runs ahead (ResyncMFADevice)
	int64_t created;
} iams_mfa;

// Which devices a listing wants: by assignment, by kind.
typedef enum iams_mfa_status {
	IAMS_MFA_ANY = 0,
	IAMS_MFA_ASSIGNED = 1,
	IAMS_MFA_UNASSIGNED = 2,
} iams_mfa_status;

typedef enum iams_mfa_kind {
	IAMS_MFA_ALL = 0,
	IAMS_MFA_VIRTUAL = 1,
	IAMS_MFA_HARDWARE = 2,
} iams_mfa_kind;

void iams_mfa_fini(iams_mfa *m);

// iams_store_mfa_insert adds an unassigned device (did, eid, enabled,
// last_step and drift ignored) and sets *did. PDP_EINVAL when its serial
// is taken in the account, or (virtual) its name, ignoring case.
int iams_store_mfa_insert(iams_store *st, const iams_mfa *m, int64_t *did);
// iams_store_mfa_get finds a device of `account` by serial (exact).
int iams_store_mfa_get(iams_store *st, const char *account,
    const char *serial, iams_mfa *out);
// iams_store_mfa_update rewrites eid (0: unassigned), enabled, last_step
// and drift of m->did: enabling, deactivating, and recording an accepted
// code (the replay guard) in the caller's transaction.
int iams_store_mfa_update(iams_store *st, const iams_mfa *m);
// iams_store_mfa_delete removes a device with its tags.
int iams_store_mfa_delete(iams_store *st, int64_t did);
// iams_store_mfa_list calls `cb` for the devices of `account` enabled for
// `eid` (0: any or none) in `status`, of `kind`, whose serial sorts
// after `after` (NULL: from the start), in serial order, at most `max`
// (0: no limit). Records have no seed. A non-zero return of `cb` stops
// the walk and is returned.
int iams_store_mfa_list(iams_store *st, const char *account, int64_t eid,
    iams_mfa_status status, iams_mfa_kind kind, const char *after,
    uint32_t max, int (*cb)(void *arg, const iams_mfa *m), void *arg);
// iams_store_mfa_count sets *n to the devices of `account` enabled for
// `eid` (0: all devices, assigned or not), only virtual ones when
// `virtual_only`. DeleteUser's conflict, the per-user and per-account
// limits, and the credential report's mfa_active read it.
int iams_store_mfa_count(iams_store *st, const char *account, int64_t eid,
    bool virtual_only, uint32_t *n);
// iams_store_mfa_per_entity calls `cb` once per user or root of
// `account` that has devices enabled, with their number, in eid order:
// one query for a whole credential report.
int iams_store_mfa_per_entity(iams_store *st, const char *account,
    int (*cb)(void *arg, int64_t eid, uint32_t n), void *arg);
// Tags of a device; keys ignore case as user tags do (a key replaces one
// that differs only in case).
int iams_store_mfa_tag_set(iams_store *st, int64_t did, const char *key,
    const char *value);
int iams_store_mfa_tag_list(iams_store *st, int64_t did,
    int (*cb)(void *arg, const char *key, const char *value), void *arg);
// --- The STS keyring ---------------------------------------------------------

// One key of the keyring that seals session tokens. The newest key signs;
// older ones only verify, until they are retired.
typedef struct iams_stskey {
	uint32_t id;           // the key id tokens name; never reused
	int64_t created;       // Unix seconds: when it began to sign
	int64_t superseded;    // when a newer key took over; 0: it signs
	const uint8_t *sealed; // the key sealed under the store key; borrowed
	size_t sealed_len;
} iams_stskey;

// iams_store_stskey_add adds key k->id (greater than every id the store
// has held) as the signing key: the key that signed until now is marked
// superseded at k->created. PDP_EINVAL when the id is taken.
int iams_store_stskey_add(iams_store *st, const iams_stskey *k);
// iams_store_stskey_list lists the keys newest first; `sealed` is valid
// during the callback only.
int iams_store_stskey_list(iams_store *st,
    int (*cb)(void *arg, const iams_stskey *k), void *arg);
// iams_store_stskey_newest gives the newest key's id (0 when there is
// none) from a cached statement: every session call asks.
int iams_store_stskey_newest(iams_store *st, uint32_t *id);
// iams_store_stskey_retire deletes the keys superseded before `before`
// (never the signing key) and sets *n to how many went.
int iams_store_stskey_retire(iams_store *st, int64_t before, uint32_t *n);

// --- The credential report -------------------------------------------------

// An account keeps its newest credential report (GenerateCredentialReport):
// the CSV text and when it was generated. iams_store_report_put replaces
// the account's report; iams_store_report_get sets *generated and, when
// `content` is not NULL, *content (malloc'd, NUL-terminated; free it) and
// *len, or answers PDP_ENOENT when the account has none.
int iams_store_report_put(iams_store *st, const char *account,
    int64_t generated, const char *content, size_t len);
int iams_store_report_get(iams_store *st, const char *account,
    int64_t *generated, char **content, size_t *len);

// --- The audit trail --------------------------------------------------------

// One event of the audit trail: the columns LookupEvents filters on and
// the whole record (CloudTrail's JSON text). Borrowed strings.
typedef struct iams_event {
	const char *account;       // recipientAccountId
	int64_t time;              // eventTime, Unix seconds
	const char *id;            // eventID
	const char *name;          // eventName
	const char *source;        // eventSource
	const char *username;      // NULL: none
	const char *access_key_id; // NULL: none
	bool read_only;
	const char *record;
} iams_event;

// The lookup attributes, in the order of the store's statements.
typedef enum iams_event_attr {
	IAMS_EVENT_ALL = 0,        // no attribute
	IAMS_EVENT_ID, IAMS_EVENT_NAME, IAMS_EVENT_SOURCE,
	IAMS_EVENT_USERNAME, IAMS_EVENT_ACCESS_KEY_ID,
	IAMS_EVENT_READ_ONLY,      // value "true" or "false"
	IAMS_EVENT_ATTRS
} iams_event_attr;

// A page of an account's events: time in [start, end], before the cursor
// (before_time, then before_seq), attr equal to value, `max` at most.
typedef struct iams_event_query {
	const char *account;
	int64_t start, end;
	int64_t before_time, before_seq;
	iams_event_attr attr;
	const char *value;
	uint32_t max;
} iams_event_query;

// iams_store_event_insert appends an event (inside a write transaction);
// iams_store_event_prune deletes the events older than `before`.
int iams_store_event_insert(iams_store *st, const iams_event *e);
int iams_store_event_prune(iams_store *st, int64_t before);
// iams_store_event_list calls `cb` for each event of the page, newest
// first, with its sequence number, time and record; a callback's error
// stops the walk and is returned.
int iams_store_event_list(iams_store *st, const iams_event_query *q,
    int (*cb)(void *arg, int64_t seq, int64_t time, const char *record),
    void *arg);

// --- Change tracking and AWS managed policies (issue 7) ---------------------

// What the writes of this handle touched since the last clear, for the
// incremental rebuild. Recorded inside each write transaction, so a
// rolled back call records nothing.
typedef enum iams_change {
	IAMS_CHANGE_ENTITY = 0,   // id: an entity key (its row, its inline
	                          // policies, attachments, tags or groups)
	IAMS_CHANGE_POLICY = 1,   // id: a managed policy key (row, default
	                          // version)
	IAMS_CHANGE_ACCOUNTS = 2, // an account was created or deleted
	IAMS_CHANGE_REVISION = 3, // id: a revision this handle committed
} iams_change;

// iams_store_changes calls `cb` for each change recorded, by kind then
// id; iams_store_changes_clear forgets them.
int iams_store_changes(iams_store *st,
    int (*cb)(void *arg, int kind, int64_t id), void *arg);
int iams_store_changes_clear(iams_store *st);

// AWS managed policies are managed policies of the pseudo-account "aws"
// (their ARNs are arn:aws:iam::aws:policy/PATH/NAME). It is no one's
// account: iams_store_account_list never lists it.
#define IAMS_AWS_ACCOUNT "aws"

// iams_store_aws_account creates the "aws" account row when absent.
int iams_store_aws_account(iams_store *st, int64_t now);
// iams_store_aws_count sets *n to the number of AWS managed policies.
int iams_store_aws_count(iams_store *st, uint32_t *n);
// iams_store_policy_usage counts the attachments and boundary uses of
// `pid` by entities of `account` only.
int iams_store_policy_usage(iams_store *st, int64_t pid, const char *account,
    uint32_t *attachments, uint32_t *boundaries);
// iams_store_policy_list_in is iams_store_policy_list for the policies
// of `owner` as `account` sees them: usage counts and `only_attached`
// count `account`'s entities only.
int iams_store_policy_list_in(iams_store *st, const char *owner,
    const char *account, const char *prefix, bool only_attached,
    const char *after, uint32_t max,
    int (*cb)(void *arg, const iams_policy *p), void *arg);
// iams_store_policies_used lists the policies of `owner` that some
// entity attaches or has as its boundary, in name order.
int iams_store_policies_used(iams_store *st, const char *owner,
    int (*cb)(void *arg, const iams_policy *p), void *arg);

#endif // IAMS_STORE_H
