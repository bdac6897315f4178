// store_sqlite.c - the SQLite backend of the store interface (store.h):
// WAL journal, synchronous=FULL so an acknowledged commit survives a
// crash or power loss, foreign keys on, ordered schema migrations and
// prepared statements cached for the life of the handle. The only file
// of the project that holds SQL.

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "store.h"

// Migrations, oldest first; schema_version holds how many have run. A
// migration never changes once released: add a new one instead.
static const char *const migrations[] = {
	// 1: the IAM entities.
	"CREATE TABLE meta(k TEXT PRIMARY KEY, v INTEGER NOT NULL);"
	"INSERT INTO meta VALUES('revision', 0);"
	"CREATE TABLE accounts(id TEXT PRIMARY KEY, created INTEGER NOT NULL);"
	"CREATE TABLE entities("
	" eid INTEGER PRIMARY KEY,"
	" account TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
	" kind INTEGER NOT NULL, name TEXT NOT NULL, path TEXT NOT NULL,"
	" uid TEXT NOT NULL UNIQUE, created INTEGER NOT NULL,"
	" description TEXT, trust TEXT, max_session INTEGER NOT NULL,"
	" boundary INTEGER REFERENCES policies(pid),"
	" last_used INTEGER NOT NULL DEFAULT 0);"
	"CREATE UNIQUE INDEX entities_name ON entities(account, kind,"
	" name COLLATE NOCASE);"
	"CREATE INDEX entities_boundary ON entities(boundary);"
	"CREATE TABLE members("
	" group_eid INTEGER NOT NULL REFERENCES entities(eid)"
	" ON DELETE CASCADE,"
	" user_eid INTEGER NOT NULL REFERENCES entities(eid)"
	" ON DELETE CASCADE,"
	" PRIMARY KEY(group_eid, user_eid));"
	"CREATE INDEX members_user ON members(user_eid);"
	"CREATE TABLE policies("
	" pid INTEGER PRIMARY KEY,"
	" account TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
	" name TEXT NOT NULL, path TEXT NOT NULL, arn TEXT NOT NULL UNIQUE,"
	" policy_id TEXT NOT NULL UNIQUE, description TEXT,"
	" default_version TEXT NOT NULL, next_version INTEGER NOT NULL,"
	" created INTEGER NOT NULL, updated INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX policies_name ON policies(account,"
	" name COLLATE NOCASE);"
	"CREATE TABLE versions("
	" pid INTEGER NOT NULL REFERENCES policies(pid) ON DELETE CASCADE,"
	" id TEXT NOT NULL, document TEXT NOT NULL, created INTEGER NOT NULL,"
	" PRIMARY KEY(pid, id));"
	"CREATE TABLE attachments(aid INTEGER PRIMARY KEY,"
	" eid INTEGER NOT NULL REFERENCES entities(eid) ON DELETE CASCADE,"
	" pid INTEGER NOT NULL REFERENCES policies(pid), UNIQUE(eid, pid));"
	"CREATE INDEX attachments_pid ON attachments(pid);"
	"CREATE TABLE inline_policies("
	" eid INTEGER NOT NULL REFERENCES entities(eid) ON DELETE CASCADE,"
	" name TEXT NOT NULL, document TEXT NOT NULL, PRIMARY KEY(eid, name));"
	"CREATE TABLE entity_tags("
	" eid INTEGER NOT NULL REFERENCES entities(eid) ON DELETE CASCADE,"
	" key TEXT NOT NULL, value TEXT NOT NULL,"
	" PRIMARY KEY(eid, key COLLATE NOCASE));"
	"CREATE TABLE policy_tags("
	" pid INTEGER NOT NULL REFERENCES policies(pid) ON DELETE CASCADE,"
	" key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY(pid, key));"
	"CREATE TABLE access_keys(key_id TEXT PRIMARY KEY,"
	" eid INTEGER NOT NULL REFERENCES entities(eid) ON DELETE CASCADE,"
	" active INTEGER NOT NULL, secret BLOB NOT NULL,"
	" created INTEGER NOT NULL, last_used INTEGER NOT NULL DEFAULT 0,"
	" last_service TEXT, last_region TEXT);"
	"CREATE INDEX access_keys_eid ON access_keys(eid);"
	"CREATE TABLE logins(eid INTEGER PRIMARY KEY"
	" REFERENCES entities(eid) ON DELETE CASCADE,"
	" hash TEXT NOT NULL, created INTEGER NOT NULL,"
	" changed INTEGER NOT NULL, reset_required INTEGER NOT NULL);"
	"CREATE TABLE password_history(hid INTEGER PRIMARY KEY,"
	" eid INTEGER NOT NULL REFERENCES entities(eid) ON DELETE CASCADE,"
	" hash TEXT NOT NULL);"
	"CREATE INDEX password_history_eid ON password_history(eid);"
	"CREATE TABLE password_policies(account TEXT PRIMARY KEY"
	" REFERENCES accounts(id) ON DELETE CASCADE,"
	" min_length INTEGER NOT NULL, symbols INTEGER NOT NULL,"
	" numbers INTEGER NOT NULL, upper INTEGER NOT NULL,"
	" lower INTEGER NOT NULL, allow_change INTEGER NOT NULL,"
	" max_age INTEGER NOT NULL, reuse INTEGER NOT NULL,"
	" hard_expiry INTEGER NOT NULL);",
	// 2: MFA devices (the block at the end of this file). A device's
	// user is SET NULL on delete: the device falls back to unassigned.
	"CREATE TABLE mfa_devices(did INTEGER PRIMARY KEY,"
	" account TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
	" serial TEXT NOT NULL, name TEXT NOT NULL, path TEXT NOT NULL,"
	" virtual INTEGER NOT NULL, seed BLOB NOT NULL,"
	" eid INTEGER REFERENCES entities(eid) ON DELETE SET NULL,"
	" enabled INTEGER NOT NULL DEFAULT 0,"
	" last_step INTEGER NOT NULL DEFAULT -1,"
	" drift INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL,"
	" UNIQUE(account, serial));"
	"CREATE UNIQUE INDEX mfa_devices_name ON mfa_devices(account,"
	" name COLLATE NOCASE) WHERE virtual = 1;"
	"CREATE INDEX mfa_devices_eid ON mfa_devices(eid);"
	"CREATE TABLE mfa_tags("
	" did INTEGER NOT NULL REFERENCES mfa_devices(did) ON DELETE CASCADE,"
	" key TEXT NOT NULL, value TEXT NOT NULL,"
	" PRIMARY KEY(did, key COLLATE NOCASE));",
	// 3: the STS keyring (the block at the end of this file). The
	// service adds the first key when it opens a store that has none.
	"CREATE TABLE sts_keys(kid INTEGER PRIMARY KEY,"
	" created INTEGER NOT NULL, superseded INTEGER NOT NULL DEFAULT 0,"
	" sealed BLOB NOT NULL);",
	// 4: the credential report, one per account (the newest).
	"CREATE TABLE credential_reports(account TEXT PRIMARY KEY"
	" REFERENCES accounts(id) ON DELETE CASCADE,"
	" generated INTEGER NOT NULL, content BLOB NOT NULL);",
	// 5: the audit trail (iams_store_event_*): one row per call, its
	// record as JSON beside the columns LookupEvents filters on. No
	// foreign key: an account's history outlives the account.
	"CREATE TABLE events(seq INTEGER PRIMARY KEY, account TEXT NOT NULL,"
	" time INTEGER NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL,"
	" source TEXT NOT NULL, username TEXT, access_key_id TEXT,"
	" read_only TEXT NOT NULL, record TEXT NOT NULL);"
	"CREATE INDEX events_time ON events(account, time, seq);"
	"CREATE INDEX events_id ON events(account, id);"
	"CREATE INDEX events_name ON events(account, name, time, seq);"
	"CREATE INDEX events_source ON events(account, source, time, seq);"
	"CREATE INDEX events_username ON events(account, username, time, seq);"
	"CREATE INDEX events_akid ON events(account, access_key_id, time, seq);"
	"CREATE INDEX events_read_only ON events(account, read_only, time,"
	" seq);"
	"CREATE INDEX events_age ON events(time);",
};
#define NMIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))

#define ENTITY_COLS "eid, kind, account, name, path, uid, created, " \
	"description, trust, max_session, boundary, last_used"
#define POLICY_COLS "pid, account, name, path, arn, policy_id, " \
	"description, default_version, next_version, created, updated, " \
	"(SELECT count(*) FROM attachments a WHERE a.pid = p.pid), " \
	"(SELECT count(*) FROM entities e WHERE e.boundary = p.pid)"
#define MFA_COLS(seed) "did, account, serial, name, path, virtual, " #seed \
	", eid, enabled, last_step, drift, created"

// A page of an account's events, newest first, in [?2, ?3] and before the
// cursor (?4, ?5): time, then seq.
#define EVENT_LIST(cond) "SELECT seq, time, record FROM events WHERE " \
	"account = ?1 AND time >= ?2 AND time <= ?3 AND (time < ?4 OR " \
	"(time = ?4 AND seq < ?5)) AND " cond " ORDER BY time DESC, " \
	"seq DESC LIMIT ?7"

// The statements, prepared once each on first use.
enum {
	S_REV_GET, S_REV_BUMP, S_REV_RAISE,
	S_ACC_INSERT, S_ACC_EXISTS, S_ACC_DELETE, S_ACC_LIST,
	S_ENT_INSERT, S_ENT_GET, S_ENT_BY_EID, S_ENT_UPDATE, S_ENT_USED,
	S_ENT_DELETE, S_ENT_LIST, S_ENT_COUNT,
	S_MEM_ADD, S_MEM_REMOVE, S_MEM_GROUPS, S_MEM_USERS,
	S_POL_INSERT, S_POL_GET, S_POL_BY_PID, S_POL_UPDATE, S_POL_DELETE,
	S_POL_LIST, S_POL_COUNT,
	S_VER_INSERT, S_VER_GET, S_VER_DELETE, S_VER_LIST,
	S_ATT_ADD, S_ATT_DEL, S_ATT_LIST, S_ATT_TO,
	S_INL_PUT, S_INL_GET, S_INL_DELETE, S_INL_LIST,
	S_ETAG_DEL, S_ETAG_SET, S_ETAG_DELETE, S_ETAG_LIST,
	S_PTAG_SET, S_PTAG_DELETE, S_PTAG_LIST,
	S_KEY_INSERT, S_KEY_GET, S_KEY_STATUS, S_KEY_DELETE, S_KEY_LIST,
	S_KEY_USED,
	S_LOGIN_HIST, S_LOGIN_PUT, S_LOGIN_GET, S_LOGIN_DELETE,
	S_LOGIN_HISTORY,
	S_PWP_PUT, S_PWP_GET, S_PWP_DELETE,
	// MFA devices (the block at the end of this file)
	S_MFA_INSERT, S_MFA_GET, S_MFA_UPDATE, S_MFA_DELETE, S_MFA_LIST,
	S_MFA_COUNT, S_MFA_PER_ENTITY, S_MTAG_SET, S_MTAG_LIST,
	// The STS keyring's newest key, asked by every session call.
	S_STSKEY_NEWEST,
	S_REPORT_PUT, S_REPORT_GET,
	S_EVENT_INSERT, S_EVENT_PRUNE, S_EVENT_LIST,
	S_EVENT_LIST_LAST = S_EVENT_LIST + IAMS_EVENT_ATTRS - 1,
	S_COUNT
};

static const char *const sql[S_COUNT] = {
	[S_REV_GET] = "SELECT v FROM meta WHERE k = 'revision'",
	[S_REV_BUMP] = "UPDATE meta SET v = v + 1 WHERE k = 'revision'",
	[S_REV_RAISE] = "UPDATE meta SET v = max(v + 1, ?1) "
	    "WHERE k = 'revision'",
	[S_ACC_INSERT] = "INSERT INTO accounts VALUES(?1, ?2)",
	[S_ACC_EXISTS] = "SELECT 1 FROM accounts WHERE id = ?1",
	[S_ACC_DELETE] = "DELETE FROM accounts WHERE id = ?1",
	// AWS managed policies belong to the pseudo-account "aws" (store.h),
	// which is no account of anyone's.
	[S_ACC_LIST] = "SELECT id FROM accounts WHERE id <> 'aws' "
	    "ORDER BY id",
	[S_ENT_INSERT] = "INSERT INTO entities(account, kind, name, path, "
	    "uid, created, description, trust, max_session, boundary) "
	    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[S_ENT_GET] = "SELECT " ENTITY_COLS " FROM entities WHERE "
	    "account = ?1 AND kind = ?2 AND name = ?3 COLLATE NOCASE",
	[S_ENT_BY_EID] = "SELECT " ENTITY_COLS " FROM entities "
	    "WHERE eid = ?1",
	[S_ENT_UPDATE] = "UPDATE entities SET name = ?2, path = ?3, "
	    "description = ?4, trust = ?5, max_session = ?6, boundary = ?7 "
	    "WHERE eid = ?1",
	[S_ENT_USED] = "UPDATE entities SET last_used = ?2 WHERE eid = ?1",
	[S_ENT_DELETE] = "DELETE FROM entities WHERE eid = ?1",
	[S_ENT_LIST] = "SELECT " ENTITY_COLS " FROM entities WHERE "
	    "account = ?1 AND kind = ?2 AND substr(path, 1, length(?3)) = ?3 "
	    "AND (?4 IS NULL OR name > ?4 COLLATE NOCASE) "
	    "ORDER BY name COLLATE NOCASE LIMIT ?5",
	[S_ENT_COUNT] = "SELECT count(*) FROM entities WHERE account = ?1 "
	    "AND kind = ?2",
	[S_MEM_ADD] = "INSERT INTO members VALUES(?1, ?2)",
	[S_MEM_REMOVE] = "DELETE FROM members WHERE group_eid = ?1 AND "
	    "user_eid = ?2",
	[S_MEM_GROUPS] = "SELECT " ENTITY_COLS " FROM entities JOIN members "
	    "ON group_eid = eid WHERE user_eid = ?1 "
	    "ORDER BY name COLLATE NOCASE",
	[S_MEM_USERS] = "SELECT " ENTITY_COLS " FROM entities JOIN members "
	    "ON user_eid = eid WHERE group_eid = ?1 "
	    "ORDER BY name COLLATE NOCASE",
	[S_POL_INSERT] = "INSERT INTO policies(account, name, path, arn, "
	    "policy_id, description, default_version, next_version, created, "
	    "updated) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[S_POL_GET] = "SELECT " POLICY_COLS " FROM policies p "
	    "WHERE arn = ?1",
	[S_POL_BY_PID] = "SELECT " POLICY_COLS " FROM policies p "
	    "WHERE pid = ?1",
	[S_POL_UPDATE] = "UPDATE policies SET default_version = ?2, "
	    "next_version = ?3, updated = ?4 WHERE pid = ?1",
	[S_POL_DELETE] = "DELETE FROM policies WHERE pid = ?1",
	[S_POL_LIST] = "SELECT " POLICY_COLS " FROM policies p WHERE "
	    "account = ?1 AND substr(path, 1, length(?2)) = ?2 "
	    "AND (?3 = 0 OR EXISTS (SELECT 1 FROM attachments a WHERE "
	    "a.pid = p.pid) OR EXISTS (SELECT 1 FROM entities e WHERE "
	    "e.boundary = p.pid)) "
	    "AND (?4 IS NULL OR name > ?4 COLLATE NOCASE) "
	    "ORDER BY name COLLATE NOCASE LIMIT ?5",
	[S_POL_COUNT] = "SELECT count(*) FROM policies WHERE account = ?1",
	[S_VER_INSERT] = "INSERT INTO versions VALUES(?1, ?2, ?3, ?4)",
	[S_VER_GET] = "SELECT id, document, created FROM versions "
	    "WHERE pid = ?1 AND id = ?2",
	[S_VER_DELETE] = "DELETE FROM versions WHERE pid = ?1 AND id = ?2",
	[S_VER_LIST] = "SELECT id, document, created FROM versions "
	    "WHERE pid = ?1 ORDER BY created, CAST(substr(id, 2) AS INTEGER)",
	[S_ATT_ADD] = "INSERT INTO attachments(eid, pid) VALUES(?1, ?2)",
	[S_ATT_DEL] = "DELETE FROM attachments WHERE eid = ?1 AND pid = ?2",
	[S_ATT_LIST] = "SELECT " POLICY_COLS " FROM policies p JOIN "
	    "attachments a USING (pid) WHERE a.eid = ?1 ORDER BY a.aid",
	[S_ATT_TO] = "SELECT " ENTITY_COLS " FROM entities JOIN "
	    "attachments a USING (eid) WHERE a.pid = ?1 ORDER BY a.aid",
	[S_INL_PUT] = "INSERT OR REPLACE INTO inline_policies "
	    "VALUES(?1, ?2, ?3)",
	[S_INL_GET] = "SELECT document FROM inline_policies WHERE eid = ?1 "
	    "AND name = ?2",
	[S_INL_DELETE] = "DELETE FROM inline_policies WHERE eid = ?1 "
	    "AND name = ?2",
	[S_INL_LIST] = "SELECT name, document FROM inline_policies "
	    "WHERE eid = ?1 ORDER BY name",
	[S_ETAG_DEL] = "DELETE FROM entity_tags WHERE eid = ?1 AND "
	    "key = ?2 COLLATE NOCASE",
	[S_ETAG_SET] = "INSERT INTO entity_tags VALUES(?1, ?2, ?3)",
	[S_ETAG_DELETE] = "DELETE FROM entity_tags WHERE eid = ?1 AND "
	    "key = ?2 COLLATE NOCASE",
	[S_ETAG_LIST] = "SELECT key, value FROM entity_tags WHERE eid = ?1 "
	    "ORDER BY key",
	[S_PTAG_SET] = "INSERT OR REPLACE INTO policy_tags "
	    "VALUES(?1, ?2, ?3)",
	[S_PTAG_DELETE] = "DELETE FROM policy_tags WHERE pid = ?1 AND "
	    "key = ?2",
	[S_PTAG_LIST] = "SELECT key, value FROM policy_tags WHERE pid = ?1 "
	    "ORDER BY key",
	[S_KEY_INSERT] = "INSERT INTO access_keys(key_id, eid, active, "
	    "secret, created) VALUES(?1, ?2, ?3, ?4, ?5)",
	[S_KEY_GET] = "SELECT key_id, eid, active, secret, created, "
	    "last_used, last_service, last_region FROM access_keys "
	    "WHERE key_id = ?1",
	[S_KEY_STATUS] = "UPDATE access_keys SET active = ?2 "
	    "WHERE key_id = ?1",
	[S_KEY_DELETE] = "DELETE FROM access_keys WHERE key_id = ?1",
	[S_KEY_LIST] = "SELECT key_id, eid, active, NULL, created, "
	    "last_used, last_service, last_region FROM access_keys "
	    "WHERE eid = ?1 ORDER BY created, key_id",
	[S_KEY_USED] = "UPDATE access_keys SET last_used = ?2, "
	    "last_service = ?3, last_region = ?4 WHERE key_id = ?1",
	[S_LOGIN_HIST] = "INSERT INTO password_history(eid, hash) "
	    "SELECT eid, hash FROM logins WHERE eid = ?1",
	[S_LOGIN_PUT] = "INSERT OR REPLACE INTO logins VALUES(?1, ?2, ?3, ?4, "
	    "?5)",
	[S_LOGIN_GET] = "SELECT hash, created, changed, reset_required "
	    "FROM logins WHERE eid = ?1",
	[S_LOGIN_DELETE] = "DELETE FROM logins WHERE eid = ?1",
	[S_LOGIN_HISTORY] = "SELECT hash FROM password_history WHERE "
	    "eid = ?1 ORDER BY hid DESC LIMIT ?2",
	[S_PWP_PUT] = "INSERT OR REPLACE INTO password_policies VALUES(?1, "
	    "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[S_PWP_GET] = "SELECT min_length, symbols, numbers, upper, lower, "
	    "allow_change, max_age, reuse, hard_expiry FROM password_policies "
	    "WHERE account = ?1",
	[S_PWP_DELETE] = "DELETE FROM password_policies WHERE account = ?1",
	[S_MFA_INSERT] = "INSERT INTO mfa_devices(account, serial, name, "
	    "path, virtual, seed, created) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_MFA_GET] = "SELECT " MFA_COLS(seed) " FROM mfa_devices "
	    "WHERE account = ?1 AND serial = ?2",
	[S_MFA_UPDATE] = "UPDATE mfa_devices SET eid = ?2, enabled = ?3, "
	    "last_step = ?4, drift = ?5 WHERE did = ?1",
	[S_MFA_DELETE] = "DELETE FROM mfa_devices WHERE did = ?1",
	[S_MFA_LIST] = "SELECT " MFA_COLS(NULL) " FROM mfa_devices WHERE "
	    "account = ?1 AND (?2 = 0 OR eid = ?2) AND (?3 = 0 OR "
	    "(?3 = 1) = (eid IS NOT NULL)) AND (?4 = 0 OR (?4 = 1) = "
	    "(virtual = 1)) AND "
	    "(?5 IS NULL OR serial > ?5) ORDER BY serial LIMIT ?6",
	[S_MFA_COUNT] = "SELECT count(*) FROM mfa_devices WHERE "
	    "account = ?1 AND (?2 = 0 OR eid = ?2) AND (?3 = 0 OR virtual = 1)",
	[S_MFA_PER_ENTITY] = "SELECT eid, count(*) FROM mfa_devices WHERE "
	    "account = ?1 AND eid IS NOT NULL GROUP BY eid ORDER BY eid",
	[S_MTAG_SET] = "INSERT OR REPLACE INTO mfa_tags VALUES(?1, ?2, ?3)",
	[S_MTAG_LIST] = "SELECT key, value FROM mfa_tags WHERE did = ?1 "
	    "ORDER BY key",
	[S_STSKEY_NEWEST] = "SELECT coalesce(max(kid), 0) FROM sts_keys",
	[S_REPORT_PUT] = "INSERT OR REPLACE INTO credential_reports "
	    "VALUES(?1, ?2, ?3)",
	[S_REPORT_GET] = "SELECT generated, content FROM credential_reports "
	    "WHERE account = ?1",
	[S_EVENT_INSERT] = "INSERT INTO events(account, time, id, name, "
	    "source, username, access_key_id, read_only, record) "
	    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[S_EVENT_PRUNE] = "DELETE FROM events WHERE time < ?1",
	// One statement per lookup attribute (iams_event_attr's order), so
	// that each can use its index.
	[S_EVENT_LIST] = EVENT_LIST("?6 IS NULL"),
	[S_EVENT_LIST + 1] = EVENT_LIST("id = ?6"),
	[S_EVENT_LIST + 2] = EVENT_LIST("name = ?6"),
	[S_EVENT_LIST + 3] = EVENT_LIST("source = ?6"),
	[S_EVENT_LIST + 4] = EVENT_LIST("username = ?6"),
	[S_EVENT_LIST + 5] = EVENT_LIST("access_key_id = ?6"),
	[S_EVENT_LIST + 6] = EVENT_LIST("read_only = ?6"),
};

struct iams_store {
	sqlite3 *db;
	sqlite3_stmt *stmt[S_COUNT];
	bool in_txn;
	int version;
};

static int
map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return PDP_OK;
	case SQLITE_CONSTRAINT:
		return PDP_EINVAL;
	case SQLITE_NOMEM:
		return PDP_ENOMEM;
	default:
		return PDP_EIO;
	}
}

// prep returns statement `id` reset and unbound, or NULL (st->db's
// error says why).
static sqlite3_stmt *
prep(iams_store *st, int id)
{
	sqlite3_stmt *s = st->stmt[id];

	if (s == NULL) {
		if (sqlite3_prepare_v3(st->db, sql[id], -1,
		    SQLITE_PREPARE_PERSISTENT, &st->stmt[id], NULL) !=
		    SQLITE_OK)
			return NULL;
		return st->stmt[id];
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

// first_u32 steps `s` (prepared and bound) once, puts its first column in
// *n when it has a row, resets it, and returns SQLite's answer.
static int
first_u32(sqlite3_stmt *s, uint32_t *n)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		*n = (uint32_t) sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return map_rc(rc);
}

static void
btext(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

static char *
ctext(sqlite3_stmt *s, int i, bool *nomem)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	char *d;

	if (t == NULL)
		return NULL;
	if ((d = strdup((const char *) t)) == NULL)
		*nomem = true;
	return d;
}

// step_done runs a statement that returns no rows. Statements are reset
// after use so that none holds a read lock past its call.
static int
step_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	return map_rc(rc);
}

// step_change runs a write and reports PDP_ENOENT when no row changed.
static int
step_change(iams_store *st, sqlite3_stmt *s)
{
	int rv = step_done(s);

	if (rv == PDP_OK && sqlite3_changes(st->db) == 0)
		return PDP_ENOENT;
	return rv;
}

static int track_open(iams_store *st, char **msg);

int
iams_store_open(const char *path, iams_store **out, char *err,
    size_t errlen)
{
	iams_store *st = calloc(1, sizeof(*st));
	char *msg = NULL;
	int rc;

	if (st == NULL)
		return PDP_ENOMEM;
	rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	// A concurrent writer (another process on the same file) makes us
	// wait, not fail; WAL lets readers go on during a write.
	sqlite3_busy_timeout(st->db, 10000);
	rc = sqlite3_exec(st->db, "PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
	    "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER "
	    "NOT NULL)", NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		goto fail;
	rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_stmt *s;
	rc = sqlite3_prepare_v2(st->db, "SELECT max(version) FROM "
	    "schema_version", -1, &s, NULL);
	if (rc != SQLITE_OK)
		goto fail_txn;
	if (sqlite3_step(s) == SQLITE_ROW)
		st->version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (st->version > (int) NMIGRATIONS) {
		snprintf(err ? err : (char[1]){0}, err ? errlen : 1,
		    "store schema version %d is newer than this program "
		    "(%zu)", st->version, NMIGRATIONS);
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(st->db);
		free(st);
		return PDP_EVERSION;
	}
	// Each migration and its version row commit together: a crash
	// mid-way leaves the store at the previous version.
	for (size_t i = (size_t) st->version; i < NMIGRATIONS; i++) {
		char bump[96];
		rc = sqlite3_exec(st->db, migrations[i], NULL, NULL, &msg);
		if (rc != SQLITE_OK)
			goto fail_txn;
		snprintf(bump, sizeof(bump), "DELETE FROM schema_version;"
		    "INSERT INTO schema_version VALUES(%zu)", i + 1);
		rc = sqlite3_exec(st->db, bump, NULL, NULL, &msg);
		if (rc != SQLITE_OK)
			goto fail_txn;
		st->version = (int) i + 1;
	}
	rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		goto fail_txn;
	if ((rc = track_open(st, &msg)) != SQLITE_OK)
		goto fail;
	*out = st;
	return PDP_OK;

fail_txn:
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
fail:
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s: %s", path, msg ? msg :
		    st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
	sqlite3_free(msg);
	sqlite3_close(st->db);
	free(st);
	return map_rc(rc) == PDP_OK ? PDP_EIO : map_rc(rc);
}

void
iams_store_close(iams_store *st)
{
	if (st == NULL)
		return;
	for (int i = 0; i < S_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	free(st);
}

const char *
iams_store_errmsg(iams_store *st)
{
	return sqlite3_errmsg(st->db);
}

int
iams_store_schema_version(iams_store *st)
{
	return st->version;
}

int
iams_store_begin(iams_store *st, bool write)
{
	int rc = sqlite3_exec(st->db, write ? "BEGIN IMMEDIATE" : "BEGIN",
	    NULL, NULL, NULL);

	if (rc == SQLITE_OK)
		st->in_txn = true;
	return map_rc(rc);
}

int
iams_store_commit(iams_store *st)
{
	int rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);

	if (rc != SQLITE_OK) {
		iams_store_rollback(st);
		return map_rc(rc) == PDP_OK ? PDP_EIO : map_rc(rc);
	}
	st->in_txn = false;
	return PDP_OK;
}

void
iams_store_rollback(iams_store *st)
{
	if (st->in_txn || !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	st->in_txn = false;
}

int
iams_store_revision(iams_store *st, uint64_t *out)
{
	sqlite3_stmt *s = prep(st, S_REV_GET);
	int rc;

	if (s == NULL)
		return PDP_EIO;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*out = (uint64_t) sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? PDP_OK : rc == SQLITE_DONE ? PDP_ENOENT :
	    map_rc(rc);
}

int
iams_store_bump(iams_store *st)
{
	sqlite3_stmt *s = prep(st, S_REV_BUMP);

	return s ? step_done(s) : PDP_EIO;
}

int
iams_store_revision_raise(iams_store *st, uint64_t at_least)
{
	sqlite3_stmt *s = prep(st, S_REV_RAISE);

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, (int64_t) at_least);
	return step_done(s);
}

// --- Accounts ----------------------------------------------------------------

int
iams_store_account_create(iams_store *st, const char *id, int64_t now)
{
	sqlite3_stmt *s = prep(st, S_ACC_INSERT);

	if (s == NULL)
		return PDP_EIO;
	btext(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	return step_done(s);
}

int
iams_store_account_exists(iams_store *st, const char *id)
{
	sqlite3_stmt *s = prep(st, S_ACC_EXISTS);
	int rc;

	if (s == NULL)
		return PDP_EIO;
	btext(s, 1, id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? PDP_OK : rc == SQLITE_DONE ? PDP_ENOENT :
	    map_rc(rc);
}

int
iams_store_account_delete(iams_store *st, const char *id)
{
	sqlite3_stmt *s = prep(st, S_ACC_DELETE);

	if (s == NULL)
		return PDP_EIO;
	btext(s, 1, id);
	return step_change(st, s);
}

int
iams_store_account_list(iams_store *st,
    int (*cb)(void *arg, const char *id), void *arg)
{
	sqlite3_stmt *s = prep(st, S_ACC_LIST);
	int rc, rv = PDP_OK;

	if (s == NULL)
		return PDP_EIO;
	while (rv == PDP_OK && (rc = sqlite3_step(s)) == SQLITE_ROW)
		rv = cb(arg, (const char *) sqlite3_column_text(s, 0));
	if (rv == PDP_OK)
		rv = map_rc(rc);
	sqlite3_reset(s);
	return rv;
}

// --- Entities ----------------------------------------------------------------

void
iams_entity_fini(iams_entity *e)
{
	if (e == NULL)
		return;
	free(e->account);
	free(e->name);
	free(e->path);
	free(e->uid);
	free(e->description);
	free(e->trust);
	memset(e, 0, sizeof(*e));
}

// read_entity fills *e from a row of ENTITY_COLS; its strings are
// malloc'd (iams_entity_fini).
static int
read_entity(sqlite3_stmt *s, iams_entity *e)
{
	bool nomem = false;

	memset(e, 0, sizeof(*e));
	e->eid = sqlite3_column_int64(s, 0);
	e->kind = (iams_kind) sqlite3_column_int(s, 1);
	e->account = ctext(s, 2, &nomem);
	e->name = ctext(s, 3, &nomem);
	e->path = ctext(s, 4, &nomem);
	e->uid = ctext(s, 5, &nomem);
	e->created = sqlite3_column_int64(s, 6);
	e->description = ctext(s, 7, &nomem);
	e->trust = ctext(s, 8, &nomem);
	e->max_session = sqlite3_column_int64(s, 9);
	e->boundary = sqlite3_column_int64(s, 10);
	e->last_used = sqlite3_column_int64(s, 11);
	if (nomem) {
		iams_entity_fini(e);
		return PDP_ENOMEM;
	}
	return PDP_OK;
}

// get_one runs a query that returns at most one entity row.
static int
get_entity(sqlite3_stmt *s, iams_entity *out)
{
	int rc = sqlite3_step(s), rv;

	if (rc == SQLITE_ROW)
		rv = read_entity(s, out);
	else
		rv = rc == SQLITE_DONE ? PDP_ENOENT : map_rc(rc);
	sqlite3_reset(s);
	return rv;
}

static int
walk_entities(sqlite3_stmt *s, int (*cb)(void *, const iams_entity *),
    void *arg)
{
	iams_entity e;
	int rc, rv = PDP_OK;

	while (rv == PDP_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((rv = read_entity(s, &e)) != PDP_OK)
			break;
		rv = cb(arg, &e);
		iams_entity_fini(&e);
	}
	if (rv == PDP_OK)
		rv = map_rc(rc);
	sqlite3_reset(s);
	return rv;
}

int
iams_store_entity_insert(iams_store *st, const iams_entity *e,
    int64_t *eid)
{
	sqlite3_stmt *s = prep(st, S_ENT_INSERT);
	int rv;

	if (s == NULL)
		return PDP_EIO;
	btext(s, 1, e->account);
	sqlite3_bind_int(s, 2, e->kind);
	btext(s, 3, e->name);
	btext(s, 4, e->path);
	btext(s, 5, e->uid);
	sqlite3_bind_int64(s, 6, e->created);
	btext(s, 7, e->description);
	btext(s, 8, e->trust);
	sqlite3_bind_int64(s, 9, e->max_session);
	if (e->boundary)
		sqlite3_bind_int64(s, 10, e->boundary);
	if ((rv = step_done(s)) == PDP_OK)
		*eid = sqlite3_last_insert_rowid(st->db);
	return rv;
}

int
iams_store_entity_get(iams_store *st, const char *account, iams_kind kind,
    const char *name, iams_entity *out)
{
	sqlite3_stmt *s = prep(st, S_ENT_GET);

	if (s == NULL)
		return PDP_EIO;
	btext(s, 1, account);
	sqlite3_bind_int(s, 2, kind);
	btext(s, 3, name);
	return get_entity(s, out);
}

int
iams_store_entity_by_eid(iams_store *st, int64_t eid, iams_entity *out)
{
	sqlite3_stmt *s = prep(st, S_ENT_BY_EID);

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, eid);
	return get_entity(s, out);
}

int
iams_store_entity_update(iams_store *st, const iams_entity *e)
{
	sqlite3_stmt *s = prep(st, S_ENT_UPDATE);

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, e->eid);
	btext(s, 2, e->name);
	btext(s, 3, e->path);
	btext(s, 4, e->description);
	btext(s, 5, e->trust);
	sqlite3_bind_int64(s, 6, e->max_session);
	if (e->boundary)
		sqlite3_bind_int64(s, 7, e->boundary);
	return step_change(st, s);
}

int
iams_store_role_used(iams_store *st, int64_t eid, int64_t when)
{
	sqlite3_stmt *s = prep(st, S_ENT_USED);

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, eid);
	sqlite3_bind_int64(s, 2, when);
	return step_change(st, s);
}

int
iams_store_entity_delete(iams_store *st, int64_t eid)
{
	sqlite3_stmt *s = prep(st, S_ENT_DELETE);

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, eid);
	return step_change(st, s);
}

int
iams_store_entity_list(iams_store *st, const char *account, iams_kind kind,
    const char *prefix, const char *after, uint32_t max,
    int (*cb)(void *arg, const iams_entity *e), void *arg)
{
	sqlite3_stmt *s = prep(st, S_ENT_LIST);

	if (s == NULL)
		return PDP_EIO;
	btext(s, 1, account);
	sqlite3_bind_int(s, 2, kind);
	btext(s, 3, prefix ? prefix : "");
	btext(s, 4, after);
	sqlite3_bind_int64(s, 5, max ? (int64_t) max : -1);
	return walk_entities(s, cb, arg);
}

static int
count(iams_store *st, int id, const char *account, int kind, uint32_t *n)
{
	sqlite3_stmt *s = prep(st, id);

	if (s == NULL)
		return PDP_EIO;
	btext(s, 1, account);
	if (kind >= 0)
		sqlite3_bind_int(s, 2, kind);
	return first_u32(s, n);
}

int
iams_store_entity_count(iams_store *st, const char *account,
    iams_kind kind, uint32_t *n)
{
	return count(st, S_ENT_COUNT, account, (int) kind, n);
}

// --- Membership --------------------------------------------------------------

static int
pair(iams_store *st, int id, int64_t a, int64_t b, bool change)
{
	sqlite3_stmt *s = prep(st, id);

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, a);
	sqlite3_bind_int64(s, 2, b);
	return change ? step_change(st, s) : step_done(s);
}

int
iams_store_member_add(iams_store *st, int64_t group, int64_t user)
{
	return pair(st, S_MEM_ADD, group, user, false);
}

int
iams_store_member_remove(iams_store *st, int64_t group, int64_t user)
{
	return pair(st, S_MEM_REMOVE, group, user, true);
}

static int
by_key(iams_store *st, int id, int64_t key,
    int (*cb)(void *, const iams_entity *), void *arg)
{
	sqlite3_stmt *s = prep(st, id);

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, key);
	return walk_entities(s, cb, arg);
}

int
iams_store_member_groups(iams_store *st, int64_t user,
    int (*cb)(void *arg, const iams_entity *e), void *arg)
{
	return by_key(st, S_MEM_GROUPS, user, cb, arg);
}

int
iams_store_member_users(iams_store *st, int64_t group,
    int (*cb)(void *arg, const iams_entity *e), void *arg)
{
	return by_key(st, S_MEM_USERS, group, cb, arg);
}

// --- Managed policies --------------------------------------------------------

void
iams_policy_fini(iams_policy *p)
{
	if (p == NULL)
		return;
	free(p->account);
	free(p->name);
	free(p->path);
	free(p->arn);
	free(p->policy_id);
	free(p->description);
	free(p->default_version);
	memset(p, 0, sizeof(*p));
}

static int
read_policy(sqlite3_stmt *s, iams_policy *p)
{
	bool nomem = false;

	memset(p, 0, sizeof(*p));
	p->pid = sqlite3_column_int64(s, 0);
	p->account = ctext(s, 1, &nomem);
	p->name = ctext(s, 2, &nomem);
	p->path = ctext(s, 3, &nomem);
	p->arn = ctext(s, 4, &nomem);
	p->policy_id = ctext(s, 5, &nomem);
	p->description = ctext(s, 6, &nomem);
	p->default_version = ctext(s, 7, &nomem);
	p->next_version = sqlite3_column_int64(s, 8);
	p->created = sqlite3_column_int64(s, 9);
	p->updated = sqlite3_column_int64(s, 10);
	p->attachments = (uint32_t) sqlite3_column_int64(s, 11);
	p->boundaries = (uint32_t) sqlite3_column_int64(s, 12);
	if (nomem) {
		iams_policy_fini(p);
		return PDP_ENOMEM;
	}
	return PDP_OK;
}

static int
get_policy(sqlite3_stmt *s, iams_policy *out)
{
	int rc = sqlite3_step(s), rv;

	if (rc == SQLITE_ROW)
		rv = read_policy(s, out);
	else
		rv = rc == SQLITE_DONE ? PDP_ENOENT : map_rc(rc);
	sqlite3_reset(s);
	return rv;
}

static int
walk_policies(sqlite3_stmt *s, int (*cb)(void *, const iams_policy *),
    void *arg)
{
	iams_policy p;
	int rc, rv = PDP_OK;

	while (rv == PDP_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((rv = read_policy(s, &p)) != PDP_OK)
			break;
		rv = cb(arg, &p);
		iams_policy_fini(&p);
	}
	if (rv == PDP_OK)
		rv = map_rc(rc);
	sqlite3_reset(s);
	return rv;
}

int
iams_store_policy_insert(iams_store *st, const iams_policy *p,
    int64_t *pid)
{
	sqlite3_stmt *s = prep(st, S_POL_INSERT);
	int rv;

	if (s == NULL)
		return PDP_EIO;
	btext(s, 1, p->account);
	btext(s, 2, p->name);
	btext(s, 3, p->path);
	btext(s, 4, p->arn);
	btext(s, 5, p->policy_id);
	btext(s, 6, p->description);
	btext(s, 7, p->default_version);
	sqlite3_bind_int64(s, 8, p->next_version);
	sqlite3_bind_int64(s, 9, p->created);
	sqlite3_bind_int64(s, 10, p->updated);
	if ((rv = step_done(s)) == PDP_OK)
		*pid = sqlite3_last_insert_rowid(st->db);
	return rv;
}

int
iams_store_policy_get(iams_store *st, const char *arn, iams_policy *out)
{
	sqlite3_stmt *s = prep(st, S_POL_GET);

	if (s == NULL)
		return PDP_EIO;
	btext(s, 1, arn);
	return get_policy(s, out);
}

int
iams_store_policy_by_pid(iams_store *st, int64_t pid, iams_policy *out)
{
	sqlite3_stmt *s = prep(st, S_POL_BY_PID);

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, pid);
	return get_policy(s, out);
}

int
iams_store_policy_update(iams_store *st, const iams_policy *p)
{
	sqlite3_stmt *s = prep(st, S_POL_UPDATE);

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, p->pid);
	btext(s, 2, p->default_version);
	sqlite3_bind_int64(s, 3, p->next_version);
	sqlite3_bind_int64(s, 4, p->updated);
	return step_change(st, s);
}

int
iams_store_policy_delete(iams_store *st, int64_t pid)
{
	sqlite3_stmt *s = prep(st, S_POL_DELETE);

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, pid);
	return step_change(st, s);
}

int
iams_store_policy_list(iams_store *st, const char *account,
    const char *prefix, bool only_attached, const char *after, uint32_t max,
    int (*cb)(void *arg, const iams_policy *p), void *arg)
{
	sqlite3_stmt *s = prep(st, S_POL_LIST);

	if (s == NULL)
		return PDP_EIO;
	btext(s, 1, account);
	btext(s, 2, prefix ? prefix : "");
	sqlite3_bind_int(s, 3, only_attached);
	btext(s, 4, after);
	sqlite3_bind_int64(s, 5, max ? (int64_t) max : -1);
	return walk_policies(s, cb, arg);
}

int
iams_store_policy_count(iams_store *st, const char *account, uint32_t *n)
{
	return count(st, S_POL_COUNT, account, -1, n);
}

void
iams_version_fini(iams_version *v)
{
	if (v == NULL)
		return;
	free(v->id);
	free(v->document);
	memset(v, 0, sizeof(*v));
}

static int
read_version(sqlite3_stmt *s, iams_version *v)
{
	bool nomem = false;

	v->id = ctext(s, 0, &nomem);
	v->document = ctext(s, 1, &nomem);
	v->created = sqlite3_column_int64(s, 2);
	if (nomem) {
		iams_version_fini(v);
		return PDP_ENOMEM;
	}
	return PDP_OK;
}

int
iams_store_version_insert(iams_store *st, int64_t pid,
    const iams_version *v)
{
	sqlite3_stmt *s = prep(st, S_VER_INSERT);

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, pid);
	btext(s, 2, v->id);
	btext(s, 3, v->document);
	sqlite3_bind_int64(s, 4, v->created);
	return step_done(s);
}

int
iams_store_version_get(iams_store *st, int64_t pid, const char *id,
    iams_version *out)
{
	sqlite3_stmt *s = prep(st, S_VER_GET);
	int rc, rv;

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, pid);
	btext(s, 2, id);
	memset(out, 0, sizeof(*out));
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		rv = read_version(s, out);
	else
		rv = rc == SQLITE_DONE ? PDP_ENOENT : map_rc(rc);
	sqlite3_reset(s);
	return rv;
}

int
iams_store_version_delete(iams_store *st, int64_t pid, const char *id)
{
	sqlite3_stmt *s = prep(st, S_VER_DELETE);

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, pid);
	btext(s, 2, id);
	return step_change(st, s);
}

int
iams_store_version_list(iams_store *st, int64_t pid,
    int (*cb)(void *arg, const iams_version *v), void *arg)
{
	sqlite3_stmt *s = prep(st, S_VER_LIST);
	iams_version v;
	int rc, rv = PDP_OK;

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, pid);
	while (rv == PDP_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&v, 0, sizeof(v));
		if ((rv = read_version(s, &v)) != PDP_OK)
			break;
		rv = cb(arg, &v);
		iams_version_fini(&v);
	}
	if (rv == PDP_OK)
		rv = map_rc(rc);
	sqlite3_reset(s);
	return rv;
}

// --- Attachments -------------------------------------------------------------

int
iams_store_attach(iams_store *st, int64_t eid, int64_t pid)
{
	return pair(st, S_ATT_ADD, eid, pid, false);
}

int
iams_store_detach(iams_store *st, int64_t eid, int64_t pid)
{
	return pair(st, S_ATT_DEL, eid, pid, true);
}

int
iams_store_attached(iams_store *st, int64_t eid,
    int (*cb)(void *arg, const iams_policy *p), void *arg)
{
	sqlite3_stmt *s = prep(st, S_ATT_LIST);

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, eid);
	return walk_policies(s, cb, arg);
}

int
iams_store_attached_to(iams_store *st, int64_t pid,
    int (*cb)(void *arg, const iams_entity *e), void *arg)
{
	return by_key(st, S_ATT_TO, pid, cb, arg);
}

// --- Inline policies ---------------------------------------------------------

int
iams_store_inline_put(iams_store *st, int64_t eid, const char *name,
    const char *document)
{
	sqlite3_stmt *s = prep(st, S_INL_PUT);

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, eid);
	btext(s, 2, name);
	btext(s, 3, document);
	return step_done(s);
}

int
iams_store_inline_get(iams_store *st, int64_t eid, const char *name,
    char **doc)
{
	sqlite3_stmt *s = prep(st, S_INL_GET);
	bool nomem = false;
	int rc, rv;

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, eid);
	btext(s, 2, name);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*doc = ctext(s, 0, &nomem);
		rv = nomem ? PDP_ENOMEM : PDP_OK;
	} else {
		rv = rc == SQLITE_DONE ? PDP_ENOENT : map_rc(rc);
	}
	sqlite3_reset(s);
	return rv;
}

int
iams_store_inline_delete(iams_store *st, int64_t eid, const char *name)
{
	sqlite3_stmt *s = prep(st, S_INL_DELETE);

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, eid);
	btext(s, 2, name);
	return step_change(st, s);
}

static int
walk_pairs(sqlite3_stmt *s, int (*cb)(void *, const char *, const char *),
    void *arg)
{
	int rc, rv = PDP_OK;

	while (rv == PDP_OK && (rc = sqlite3_step(s)) == SQLITE_ROW)
		rv = cb(arg, (const char *) sqlite3_column_text(s, 0),
		    (const char *) sqlite3_column_text(s, 1));
	if (rv == PDP_OK)
		rv = map_rc(rc);
	sqlite3_reset(s);
	return rv;
}

int
iams_store_inline_list(iams_store *st, int64_t eid,
    int (*cb)(void *arg, const char *name, const char *doc), void *arg)
{
	sqlite3_stmt *s = prep(st, S_INL_LIST);

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, eid);
	return walk_pairs(s, cb, arg);
}

// --- Tags --------------------------------------------------------------------

int
iams_store_tag_set(iams_store *st, bool policy, int64_t owner,
    const char *key, const char *value)
{
	sqlite3_stmt *s;
	int rv;

	// A user or role key replaces one that differs only in case, and
	// takes the new spelling: delete, then insert.
	if (!policy) {
		if ((s = prep(st, S_ETAG_DEL)) == NULL)
			return PDP_EIO;
		sqlite3_bind_int64(s, 1, owner);
		btext(s, 2, key);
		if ((rv = step_done(s)) != PDP_OK)
			return rv;
	}
	if ((s = prep(st, policy ? S_PTAG_SET : S_ETAG_SET)) == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, owner);
	btext(s, 2, key);
	btext(s, 3, value);
	return step_done(s);
}

int
iams_store_tag_delete(iams_store *st, bool policy, int64_t owner,
    const char *key)
{
	sqlite3_stmt *s = prep(st, policy ? S_PTAG_DELETE : S_ETAG_DELETE);

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, owner);
	btext(s, 2, key);
	return step_change(st, s);
}

int
iams_store_tag_list(iams_store *st, bool policy, int64_t owner,
    int (*cb)(void *arg, const char *key, const char *value), void *arg)
{
	sqlite3_stmt *s = prep(st, policy ? S_PTAG_LIST : S_ETAG_LIST);

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, owner);
	return walk_pairs(s, cb, arg);
}

// --- Access keys -------------------------------------------------------------

void
iams_key_fini(iams_key *k)
{
	if (k == NULL)
		return;
	free(k->key_id);
	free((void *) k->secret);
	free(k->last_service);
	free(k->last_region);
	memset(k, 0, sizeof(*k));
}

static int
read_key(sqlite3_stmt *s, iams_key *k)
{
	bool nomem = false;

	memset(k, 0, sizeof(*k));
	k->key_id = ctext(s, 0, &nomem);
	k->eid = sqlite3_column_int64(s, 1);
	k->active = sqlite3_column_int(s, 2) != 0;
	if (sqlite3_column_type(s, 3) == SQLITE_BLOB) {
		size_t n = (size_t) sqlite3_column_bytes(s, 3);
		uint8_t *b = malloc(n ? n : 1);
		if (b == NULL)
			nomem = true;
		else
			memcpy(b, sqlite3_column_blob(s, 3), n);
		k->secret = b;
		k->secret_len = n;
	}
	k->created = sqlite3_column_int64(s, 4);
	k->last_used = sqlite3_column_int64(s, 5);
	k->last_service = ctext(s, 6, &nomem);
	k->last_region = ctext(s, 7, &nomem);
	if (nomem) {
		iams_key_fini(k);
		return PDP_ENOMEM;
	}
	return PDP_OK;
}

int
iams_store_key_insert(iams_store *st, const iams_key *k)
{
	sqlite3_stmt *s = prep(st, S_KEY_INSERT);

	if (s == NULL)
		return PDP_EIO;
	btext(s, 1, k->key_id);
	sqlite3_bind_int64(s, 2, k->eid);
	sqlite3_bind_int(s, 3, k->active);
	sqlite3_bind_blob(s, 4, k->secret, (int) k->secret_len,
	    SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, k->created);
	return step_done(s);
}

int
iams_store_key_get(iams_store *st, const char *key_id, iams_key *out)
{
	sqlite3_stmt *s = prep(st, S_KEY_GET);
	int rc, rv;

	if (s == NULL)
		return PDP_EIO;
	btext(s, 1, key_id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		rv = read_key(s, out);
	else
		rv = rc == SQLITE_DONE ? PDP_ENOENT : map_rc(rc);
	sqlite3_reset(s);
	return rv;
}

int
iams_store_key_set_status(iams_store *st, const char *key_id, bool active)
{
	sqlite3_stmt *s = prep(st, S_KEY_STATUS);

	if (s == NULL)
		return PDP_EIO;
	btext(s, 1, key_id);
	sqlite3_bind_int(s, 2, active);
	return step_change(st, s);
}

int
iams_store_key_delete(iams_store *st, const char *key_id)
{
	sqlite3_stmt *s = prep(st, S_KEY_DELETE);

	if (s == NULL)
		return PDP_EIO;
	btext(s, 1, key_id);
	return step_change(st, s);
}

int
iams_store_key_used(iams_store *st, const char *key_id, int64_t when,
    const char *service, const char *region)
{
	sqlite3_stmt *s = prep(st, S_KEY_USED);

	if (s == NULL)
		return PDP_EIO;
	btext(s, 1, key_id);
	sqlite3_bind_int64(s, 2, when);
	btext(s, 3, service);
	btext(s, 4, region);
	return step_change(st, s);
}

int
iams_store_key_list(iams_store *st, int64_t eid,
    int (*cb)(void *arg, const iams_key *k), void *arg)
{
	sqlite3_stmt *s = prep(st, S_KEY_LIST);
	iams_key k;
	int rc, rv = PDP_OK;

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, eid);
	while (rv == PDP_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((rv = read_key(s, &k)) != PDP_OK)
			break;
		rv = cb(arg, &k);
		iams_key_fini(&k);
	}
	if (rv == PDP_OK)
		rv = map_rc(rc);
	sqlite3_reset(s);
	return rv;
}

// --- Logins ------------------------------------------------------------------

void
iams_login_fini(iams_login *l)
{
	if (l == NULL)
		return;
	free(l->hash);
	memset(l, 0, sizeof(*l));
}

int
iams_store_login_put(iams_store *st, int64_t eid, const iams_login *l)
{
	sqlite3_stmt *s = prep(st, S_LOGIN_HIST);
	int rv;

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, eid);
	if ((rv = step_done(s)) != PDP_OK)
		return rv;
	if ((s = prep(st, S_LOGIN_PUT)) == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, eid);
	btext(s, 2, l->hash);
	sqlite3_bind_int64(s, 3, l->created);
	sqlite3_bind_int64(s, 4, l->changed);
	sqlite3_bind_int(s, 5, l->reset_required);
	return step_done(s);
}

int
iams_store_login_get(iams_store *st, int64_t eid, iams_login *out)
{
	sqlite3_stmt *s = prep(st, S_LOGIN_GET);
	bool nomem = false;
	int rc, rv;

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, eid);
	memset(out, 0, sizeof(*out));
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		out->hash = ctext(s, 0, &nomem);
		out->created = sqlite3_column_int64(s, 1);
		out->changed = sqlite3_column_int64(s, 2);
		out->reset_required = sqlite3_column_int(s, 3) != 0;
		rv = nomem ? PDP_ENOMEM : PDP_OK;
	} else {
		rv = rc == SQLITE_DONE ? PDP_ENOENT : map_rc(rc);
	}
	sqlite3_reset(s);
	return rv;
}

int
iams_store_login_delete(iams_store *st, int64_t eid)
{
	sqlite3_stmt *s = prep(st, S_LOGIN_DELETE);

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, eid);
	return step_change(st, s);
}

int
iams_store_login_history(iams_store *st, int64_t eid, uint32_t max,
    int (*cb)(void *arg, const char *hash), void *arg)
{
	sqlite3_stmt *s = prep(st, S_LOGIN_HISTORY);
	int rc, rv = PDP_OK;

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, eid);
	sqlite3_bind_int64(s, 2, max);
	while (rv == PDP_OK && (rc = sqlite3_step(s)) == SQLITE_ROW)
		rv = cb(arg, (const char *) sqlite3_column_text(s, 0));
	if (rv == PDP_OK)
		rv = map_rc(rc);
	sqlite3_reset(s);
	return rv;
}

int
iams_store_pwpolicy_put(iams_store *st, const char *account,
    const iams_pwpolicy *p)
{
	sqlite3_stmt *s = prep(st, S_PWP_PUT);

	if (s == NULL)
		return PDP_EIO;
	btext(s, 1, account);
	sqlite3_bind_int(s, 2, (int) p->min_length);
	sqlite3_bind_int(s, 3, p->symbols);
	sqlite3_bind_int(s, 4, p->numbers);
	sqlite3_bind_int(s, 5, p->upper);
	sqlite3_bind_int(s, 6, p->lower);
	sqlite3_bind_int(s, 7, p->allow_change);
	sqlite3_bind_int(s, 8, (int) p->max_age);
	sqlite3_bind_int(s, 9, (int) p->reuse);
	sqlite3_bind_int(s, 10, p->hard_expiry);
	return step_done(s);
}

int
iams_store_pwpolicy_get(iams_store *st, const char *account,
    iams_pwpolicy *out)
{
	sqlite3_stmt *s = prep(st, S_PWP_GET);
	int rc;

	if (s == NULL)
		return PDP_EIO;
	btext(s, 1, account);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		out->min_length = (uint32_t) sqlite3_column_int(s, 0);
		out->symbols = sqlite3_column_int(s, 1) != 0;
		out->numbers = sqlite3_column_int(s, 2) != 0;
		out->upper = sqlite3_column_int(s, 3) != 0;
		out->lower = sqlite3_column_int(s, 4) != 0;
		out->allow_change = sqlite3_column_int(s, 5) != 0;
		out->max_age = (uint32_t) sqlite3_column_int(s, 6);
		out->reuse = (uint32_t) sqlite3_column_int(s, 7);
		out->hard_expiry = sqlite3_column_int(s, 8) != 0;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? PDP_OK : rc == SQLITE_DONE ? PDP_ENOENT :
	    map_rc(rc);
}

int
iams_store_pwpolicy_delete(iams_store *st, const char *account)
{
	sqlite3_stmt *s = prep(st, S_PWP_DELETE);

	if (s == NULL)
		return PDP_EIO;
	btext(s, 1, account);
	return step_change(st, s);
}

// --- MFA devices -------------------------------------------------------------

void
iams_mfa_fini(iams_mfa *m)
{
	if (m == NULL)
		return;
	free(m->account);
	free(m->serial);
	free(m->name);
	free(m->path);
	free((void *) m->seed);
	memset(m, 0, sizeof(*m));
}

// cblob copies blob column i (NULL for a NULL column) and sets *len.
static uint8_t *
cblob(sqlite3_stmt *s, int i, size_t *len, bool *nomem)
{
	uint8_t *b;

	*len = 0;
	if (sqlite3_column_type(s, i) != SQLITE_BLOB)
		return NULL;
	*len = (size_t) sqlite3_column_bytes(s, i);
	if ((b = malloc(*len ? *len : 1)) == NULL)
		*nomem = true;
	else
		memcpy(b, sqlite3_column_blob(s, i), *len);
	return b;
}

// read_mfa reads a row of MFA_COLS.
static int
read_mfa(sqlite3_stmt *s, iams_mfa *m)
{
	bool nomem = false;

	memset(m, 0, sizeof(*m));
	m->did = sqlite3_column_int64(s, 0);
	m->account = ctext(s, 1, &nomem);
	m->serial = ctext(s, 2, &nomem);
	m->name = ctext(s, 3, &nomem);
	m->path = ctext(s, 4, &nomem);
	m->is_virtual = sqlite3_column_int(s, 5) != 0;
	m->seed = cblob(s, 6, &m->seed_len, &nomem);
	m->eid = sqlite3_column_int64(s, 7); // NULL reads as 0
	m->enabled = sqlite3_column_int64(s, 8);
	m->last_step = sqlite3_column_int64(s, 9);
	m->drift = sqlite3_column_int64(s, 10);
	m->created = sqlite3_column_int64(s, 11);
	if (nomem) {
		iams_mfa_fini(m);
		return PDP_ENOMEM;
	}
	return PDP_OK;
}

int
iams_store_mfa_insert(iams_store *st, const iams_mfa *m, int64_t *did)
{
	sqlite3_stmt *s = prep(st, S_MFA_INSERT);
	int rv;

	if (s == NULL)
		return PDP_EIO;
	btext(s, 1, m->account);
	btext(s, 2, m->serial);
	btext(s, 3, m->name);
	btext(s, 4, m->path);
	sqlite3_bind_int(s, 5, m->is_virtual);
	sqlite3_bind_blob(s, 6, m->seed, (int) m->seed_len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, m->created);
	if ((rv = step_done(s)) == PDP_OK)
		*did = sqlite3_last_insert_rowid(st->db);
	return rv;
}

int
iams_store_mfa_get(iams_store *st, const char *account, const char *serial,
    iams_mfa *out)
{
	sqlite3_stmt *s = prep(st, S_MFA_GET);
	int rc, rv;

	if (s == NULL)
		return PDP_EIO;
	btext(s, 1, account);
	btext(s, 2, serial);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		rv = read_mfa(s, out);
	else
		rv = rc == SQLITE_DONE ? PDP_ENOENT : map_rc(rc);
	sqlite3_reset(s);
	return rv;
}

int
iams_store_mfa_update(iams_store *st, const iams_mfa *m)
{
	sqlite3_stmt *s = prep(st, S_MFA_UPDATE);

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, m->did);
	if (m->eid != 0)
		sqlite3_bind_int64(s, 2, m->eid);
	sqlite3_bind_int64(s, 3, m->eid != 0 ? m->enabled : 0);
	sqlite3_bind_int64(s, 4, m->last_step);
	sqlite3_bind_int64(s, 5, m->drift);
	return step_change(st, s);
}

int
iams_store_mfa_delete(iams_store *st, int64_t did)
{
	sqlite3_stmt *s = prep(st, S_MFA_DELETE);

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, did);
	return step_change(st, s);
}

int
iams_store_mfa_list(iams_store *st, const char *account, int64_t eid,
    iams_mfa_status status, iams_mfa_kind kind, const char *after,
    uint32_t max, int (*cb)(void *arg, const iams_mfa *m), void *arg)
{
	sqlite3_stmt *s = prep(st, S_MFA_LIST);
	iams_mfa m;
	int rc = SQLITE_DONE, rv = PDP_OK;

	if (s == NULL)
		return PDP_EIO;
	btext(s, 1, account);
	sqlite3_bind_int64(s, 2, eid);
	sqlite3_bind_int(s, 3, (int) status);
	sqlite3_bind_int(s, 4, (int) kind);
	btext(s, 5, after);
	sqlite3_bind_int64(s, 6, max ? (int64_t) max : -1);
	while (rv == PDP_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((rv = read_mfa(s, &m)) != PDP_OK)
			break;
		rv = cb(arg, &m);
		iams_mfa_fini(&m);
	}
	if (rv == PDP_OK)
		rv = map_rc(rc);
	sqlite3_reset(s);
	return rv;
}

int
iams_store_mfa_count(iams_store *st, const char *account, int64_t eid,
    bool virtual_only, uint32_t *n)
{
	sqlite3_stmt *s = prep(st, S_MFA_COUNT);

	if (s == NULL)
		return PDP_EIO;
	btext(s, 1, account);
	sqlite3_bind_int64(s, 2, eid);
	sqlite3_bind_int(s, 3, virtual_only);
	return first_u32(s, n);
}

int
iams_store_mfa_per_entity(iams_store *st, const char *account,
    int (*cb)(void *arg, int64_t eid, uint32_t n), void *arg)
{
	sqlite3_stmt *s = prep(st, S_MFA_PER_ENTITY);
	int rc = SQLITE_DONE, rv = PDP_OK;

	if (s == NULL)
		return PDP_EIO;
	btext(s, 1, account);
	while (rv == PDP_OK && (rc = sqlite3_step(s)) == SQLITE_ROW)
		rv = cb(arg, sqlite3_column_int64(s, 0),
		    (uint32_t) sqlite3_column_int64(s, 1));
	if (rv == PDP_OK)
		rv = map_rc(rc);
	sqlite3_reset(s);
	return rv;
}

int
iams_store_mfa_tag_set(iams_store *st, int64_t did, const char *key,
    const char *value)
{
	sqlite3_stmt *s = prep(st, S_MTAG_SET);

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, did);
	btext(s, 2, key);
	btext(s, 3, value);
	return step_done(s);
}

int
iams_store_mfa_tag_list(iams_store *st, int64_t did,
    int (*cb)(void *arg, const char *key, const char *value), void *arg)
{
	sqlite3_stmt *s = prep(st, S_MTAG_LIST);

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, did);
	return walk_pairs(s, cb, arg);
}

// --- The STS keyring ---------------------------------------------------------
//
// Opening, rotating and exporting the keyring are rare, so their
// statements are prepared per call (once) rather than cached with the
// others; the newest key's id, which every session call checks, is.

// once prepares `q` for one use (finalize it after) and binds the
// integers `v` (n of them) as ?1...
static sqlite3_stmt *
once(iams_store *st, const char *q, const int64_t *v, int n)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(st->db, q, -1, &s, NULL) != SQLITE_OK)
		return NULL;
	for (int i = 0; i < n; i++)
		sqlite3_bind_int64(s, i + 1, v[i]);
	return s;
}

// once_done runs and finalizes a statement that returns no rows.
static int
once_done(sqlite3_stmt *s)
{
	int rc;

	if (s == NULL)
		return PDP_EIO;
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return map_rc(rc);
}

int
iams_store_stskey_add(iams_store *st, const iams_stskey *k)
{
	int64_t v[2] = {k->id, k->created};
	sqlite3_stmt *s;
	int rv;

	rv = once_done(once(st, "UPDATE sts_keys SET superseded = ?2 WHERE "
	    "superseded = 0 AND kid <> ?1", v, 2));
	if (rv != PDP_OK)
		return rv;
	s = once(st, "INSERT INTO sts_keys(kid, created, sealed) "
	    "VALUES(?1, ?2, ?3)", v, 2);
	if (s != NULL)
		sqlite3_bind_blob(s, 3, k->sealed, (int) k->sealed_len,
		    SQLITE_STATIC);
	return once_done(s);
}

int
iams_store_stskey_list(iams_store *st,
    int (*cb)(void *arg, const iams_stskey *k), void *arg)
{
	sqlite3_stmt *s = once(st, "SELECT kid, created, superseded, sealed "
	    "FROM sts_keys ORDER BY kid DESC", NULL, 0);
	int rc = SQLITE_ERROR, rv = PDP_OK;

	if (s == NULL)
		return PDP_EIO;
	while (rv == PDP_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		iams_stskey k = {
			.id = (uint32_t) sqlite3_column_int64(s, 0),
			.created = sqlite3_column_int64(s, 1),
			.superseded = sqlite3_column_int64(s, 2),
			.sealed = sqlite3_column_blob(s, 3),
			.sealed_len = (size_t) sqlite3_column_bytes(s, 3),
		};
		rv = cb(arg, &k);
	}
	if (rv == PDP_OK)
		rv = map_rc(rc);
	sqlite3_finalize(s);
	return rv;
}

int
iams_store_stskey_newest(iams_store *st, uint32_t *id)
{
	sqlite3_stmt *s = prep(st, S_STSKEY_NEWEST);

	if (s == NULL)
		return PDP_EIO;
	return first_u32(s, id);
}

int
iams_store_stskey_retire(iams_store *st, int64_t before, uint32_t *n)
{
	int64_t v[1] = {before};
	int rv = once_done(once(st, "DELETE FROM sts_keys WHERE superseded "
	    "<> 0 AND superseded < ?1", v, 1));

	*n = rv == PDP_OK ? (uint32_t) sqlite3_changes(st->db) : 0;
	return rv;
}

// --- Change tracking and AWS managed policies (issue 7) --------------------
//
// Kept in one block so that merges stay easy. Change tracking: temporary
// triggers (this connection's only, nothing on disk) record in a
// temporary table what each write touched. The table belongs to the
// call's transaction: a rolled back call leaves nothing behind, and a
// committed one leaves exactly what the incremental rebuild must redo.

static const char track_sql[] =
    "CREATE TEMP TABLE IF NOT EXISTS changes(kind INTEGER NOT NULL,"
    " id INTEGER NOT NULL, PRIMARY KEY(kind, id)) WITHOUT ROWID;"
#define TRACK(name, when, table, kind, id) \
    "CREATE TEMP TRIGGER IF NOT EXISTS " name " AFTER " when " ON main." \
    table " BEGIN INSERT OR IGNORE INTO changes VALUES(" kind ", " id \
    "); END;"
    TRACK("t_ent_i", "INSERT", "entities", "0", "NEW.eid")
    TRACK("t_ent_u", "UPDATE OF name, path, trust, max_session, boundary",
	"entities", "0", "NEW.eid")
    TRACK("t_ent_d", "DELETE", "entities", "0", "OLD.eid")
    TRACK("t_mem_i", "INSERT", "members", "0", "NEW.user_eid")
    TRACK("t_mem_d", "DELETE", "members", "0", "OLD.user_eid")
    TRACK("t_att_i", "INSERT", "attachments", "0", "NEW.eid")
    TRACK("t_att_d", "DELETE", "attachments", "0", "OLD.eid")
    TRACK("t_inl_i", "INSERT", "inline_policies", "0", "NEW.eid")
    TRACK("t_inl_u", "UPDATE", "inline_policies", "0", "NEW.eid")
    TRACK("t_inl_d", "DELETE", "inline_policies", "0", "OLD.eid")
    TRACK("t_tag_i", "INSERT", "entity_tags", "0", "NEW.eid")
    TRACK("t_tag_u", "UPDATE", "entity_tags", "0", "NEW.eid")
    TRACK("t_tag_d", "DELETE", "entity_tags", "0", "OLD.eid")
    TRACK("t_key_i", "INSERT", "access_keys", "0", "NEW.eid")
    TRACK("t_key_u", "UPDATE OF active", "access_keys", "0", "NEW.eid")
    TRACK("t_key_d", "DELETE", "access_keys", "0", "OLD.eid")
    TRACK("t_pol_i", "INSERT", "policies", "1", "NEW.pid")
    TRACK("t_pol_u", "UPDATE OF default_version, arn", "policies", "1",
	"NEW.pid")
    TRACK("t_pol_d", "DELETE", "policies", "1", "OLD.pid")
    TRACK("t_acc_i", "INSERT", "accounts", "2", "0")
    TRACK("t_acc_d", "DELETE", "accounts", "2", "0")
    TRACK("t_rev", "UPDATE", "meta", "3", "NEW.v");
#undef TRACK

static int
track_open(iams_store *st, char **msg)
{
	return sqlite3_exec(st->db, track_sql, NULL, NULL, msg);
}

int
iams_store_changes(iams_store *st,
    int (*cb)(void *arg, int kind, int64_t id), void *arg)
{
	sqlite3_stmt *s;
	int rc = SQLITE_DONE, rv = PDP_OK;

	if ((s = once(st, "SELECT kind, id FROM changes ORDER BY kind, "
	    "id", NULL, 0)) == NULL)
		return PDP_EIO;
	while (rv == PDP_OK && (rc = sqlite3_step(s)) == SQLITE_ROW)
		rv = cb(arg, sqlite3_column_int(s, 0),
		    sqlite3_column_int64(s, 1));
	if (rv == PDP_OK)
		rv = map_rc(rc);
	sqlite3_finalize(s);
	return rv;
}

int
iams_store_changes_clear(iams_store *st)
{
	return map_rc(sqlite3_exec(st->db, "DELETE FROM changes", NULL, NULL,
	    NULL));
}

int
iams_store_aws_account(iams_store *st, int64_t now)
{
	int64_t v[1] = {now};
	sqlite3_stmt *s;
	int rv;

	if ((s = once(st, "INSERT OR IGNORE INTO accounts "
	    "VALUES('" IAMS_AWS_ACCOUNT "', ?1)", v, 1)) == NULL)
		return PDP_EIO;
	rv = map_rc(sqlite3_step(s));
	sqlite3_finalize(s);
	return rv;
}

int
iams_store_aws_count(iams_store *st, uint32_t *n)
{
	return count(st, S_POL_COUNT, IAMS_AWS_ACCOUNT, -1, n);
}

// Usage counted within one account: what AWS shows an account of a
// policy that many accounts may attach.
#define USAGE_IN \
	"(SELECT count(*) FROM attachments a JOIN entities e USING (eid) " \
	"WHERE a.pid = p.pid AND e.account = ?1), " \
	"(SELECT count(*) FROM entities e WHERE e.boundary = p.pid AND " \
	"e.account = ?1)"

int
iams_store_policy_usage(iams_store *st, int64_t pid, const char *account,
    uint32_t *attachments, uint32_t *boundaries)
{
	sqlite3_stmt *s;
	int rc;

	if ((s = once(st, "SELECT " USAGE_IN " FROM policies p "
	    "WHERE pid = ?2", NULL, 0)) == NULL)
		return PDP_EIO;
	btext(s, 1, account);
	sqlite3_bind_int64(s, 2, pid);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*attachments = (uint32_t) sqlite3_column_int64(s, 0);
		*boundaries = (uint32_t) sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? PDP_OK : rc == SQLITE_DONE ? PDP_ENOENT :
	    map_rc(rc);
}

int
iams_store_policy_list_in(iams_store *st, const char *owner,
    const char *account, const char *prefix, bool only_attached,
    const char *after, uint32_t max,
    int (*cb)(void *arg, const iams_policy *p), void *arg)
{
	sqlite3_stmt *s;
	int rv;

	if ((s = once(st, "SELECT pid, account, name, path, arn, "
	    "policy_id, description, default_version, next_version, created, "
	    "updated, " USAGE_IN " FROM policies p WHERE account = ?2 "
	    "AND substr(path, 1, length(?3)) = ?3 AND (?4 = 0 OR EXISTS "
	    "(SELECT 1 FROM attachments a JOIN entities e USING (eid) WHERE "
	    "a.pid = p.pid AND e.account = ?1) OR EXISTS (SELECT 1 FROM "
	    "entities e WHERE e.boundary = p.pid AND e.account = ?1)) "
	    "AND (?5 IS NULL OR name > ?5 COLLATE NOCASE) "
	    "ORDER BY name COLLATE NOCASE LIMIT ?6", NULL, 0)) == NULL)
		return PDP_EIO;
	btext(s, 1, account);
	btext(s, 2, owner);
	btext(s, 3, prefix ? prefix : "");
	sqlite3_bind_int(s, 4, only_attached);
	btext(s, 5, after);
	sqlite3_bind_int64(s, 6, max ? (int64_t) max : -1);
	rv = walk_policies(s, cb, arg);
	sqlite3_finalize(s);
	return rv;
}

int
iams_store_policies_used(iams_store *st, const char *owner,
    int (*cb)(void *arg, const iams_policy *p), void *arg)
{
	sqlite3_stmt *s;
	int rv;

	if ((s = once(st, "SELECT " POLICY_COLS " FROM policies p "
	    "WHERE account = ?1 AND (EXISTS (SELECT 1 FROM attachments a "
	    "WHERE a.pid = p.pid) OR EXISTS (SELECT 1 FROM entities e "
	    "WHERE e.boundary = p.pid)) ORDER BY name COLLATE NOCASE",
	    NULL, 0)) == NULL)
		return PDP_EIO;
	btext(s, 1, owner);
	rv = walk_policies(s, cb, arg);
	sqlite3_finalize(s);
	return rv;
}

// --- The credential report ---------------------------------------------------

int
iams_store_report_put(iams_store *st, const char *account, int64_t generated,
    const char *content, size_t len)
{
	sqlite3_stmt *s = prep(st, S_REPORT_PUT);

	if (s == NULL)
		return PDP_EIO;
	btext(s, 1, account);
	sqlite3_bind_int64(s, 2, generated);
	sqlite3_bind_blob64(s, 3, content, len, SQLITE_STATIC);
	return step_done(s);
}

// report_copy copies the report column of a S_REPORT_GET row, with a NUL
// after it.
static int
report_copy(sqlite3_stmt *s, char **content, size_t *len)
{
	const void *b = sqlite3_column_blob(s, 1);
	size_t n = (size_t) sqlite3_column_bytes(s, 1);

	if ((*content = malloc(n + 1)) == NULL)
		return PDP_ENOMEM;
	if (n > 0)
		memcpy(*content, b, n);
	(*content)[n] = '\0';
	*len = n;
	return PDP_OK;
}

int
iams_store_report_get(iams_store *st, const char *account,
    int64_t *generated, char **content, size_t *len)
{
	sqlite3_stmt *s = prep(st, S_REPORT_GET);
	int rc, rv;

	if (s == NULL)
		return PDP_EIO;
	btext(s, 1, account);
	if (content != NULL) {
		*content = NULL;
		*len = 0;
	}
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*generated = sqlite3_column_int64(s, 0);
		rv = content == NULL ? PDP_OK : report_copy(s, content, len);
	} else {
		rv = rc == SQLITE_DONE ? PDP_ENOENT : map_rc(rc);
	}
	sqlite3_reset(s);
	return rv;
}

// --- The audit trail ---------------------------------------------------------

int
iams_store_event_insert(iams_store *st, const iams_event *e)
{
	sqlite3_stmt *s = prep(st, S_EVENT_INSERT);

	if (s == NULL)
		return PDP_EIO;
	btext(s, 1, e->account);
	sqlite3_bind_int64(s, 2, e->time);
	btext(s, 3, e->id);
	btext(s, 4, e->name);
	btext(s, 5, e->source);
	btext(s, 6, e->username);
	btext(s, 7, e->access_key_id);
	btext(s, 8, e->read_only ? "true" : "false");
	btext(s, 9, e->record);
	return step_done(s);
}

int
iams_store_event_prune(iams_store *st, int64_t before)
{
	sqlite3_stmt *s = prep(st, S_EVENT_PRUNE);

	if (s == NULL)
		return PDP_EIO;
	sqlite3_bind_int64(s, 1, before);
	return step_done(s);
}

int
iams_store_event_list(iams_store *st, const iams_event_query *q,
    int (*cb)(void *arg, int64_t seq, int64_t time, const char *record),
    void *arg)
{
	if (q->attr < 0 || q->attr >= IAMS_EVENT_ATTRS)
		return PDP_EINVAL;
	sqlite3_stmt *s = prep(st, S_EVENT_LIST + (int) q->attr);
	int rc, rv = PDP_OK;

	if (s == NULL)
		return PDP_EIO;
	btext(s, 1, q->account);
	sqlite3_bind_int64(s, 2, q->start);
	sqlite3_bind_int64(s, 3, q->end);
	sqlite3_bind_int64(s, 4, q->before_time);
	sqlite3_bind_int64(s, 5, q->before_seq);
	btext(s, 6, q->attr == IAMS_EVENT_ALL ? NULL : q->value);
	sqlite3_bind_int64(s, 7, q->max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *rec = (const char *) sqlite3_column_text(s, 2);
		if ((rv = cb(arg, sqlite3_column_int64(s, 0),
		    sqlite3_column_int64(s, 1), rec ? rec : "{}")) != PDP_OK)
			break;
	}
	if (rv == PDP_OK && rc != SQLITE_ROW)
		rv = map_rc(rc);
	sqlite3_reset(s);
	return rv;
}
