// ops_login.c - console passwords: login profiles (Create/Get/Update/
// DeleteLoginProfile), ChangePassword, and the account password policy
// (Update/Get/DeleteAccountPasswordPolicy). Passwords are kept only as
// argon2id hashes; a password is never stored, logged or returned.

#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <argon2.h>
#include <openssl/rand.h>

#include "iamsi.h"

#define PW_MAX 128
#define ARGON2_T 2
#define ARGON2_P 1
#define HASH_LEN 32
#define SALT_LEN 16

// The policy that applies when the account has set none.
static const iams_pwpolicy default_policy = {
	.min_length = 8, .allow_change = true,
};

static bool
hash_password(iamsi_ctx *c, const char *pw, char *out, size_t outlen)
{
	uint8_t salt[SALT_LEN];

	if (RAND_bytes(salt, sizeof(salt)) != 1 ||
	    argon2id_hash_encoded(ARGON2_T, c->s->argon2_kib, ARGON2_P, pw,
	    strlen(pw), salt, sizeof(salt), HASH_LEN, out, outlen) !=
	    ARGON2_OK) {
		iamsi_fail(c, "ServiceFailure", "hashing the password failed");
		return false;
	}
	return true;
}

static bool
policy_of(iamsi_ctx *c, iams_pwpolicy *p)
{
	int rv = iams_store_pwpolicy_get(c->st, c->account, p);

	if (rv == PDP_ENOENT)
		*p = default_policy;
	else if (rv != PDP_OK) {
		iamsi_store_fail(c, rv, NULL);
		return false;
	}
	return true;
}

typedef struct reuse_scan {
	const char *pw;
	bool hit;
} reuse_scan;

static int
reuse_one(void *arg, const char *hash)
{
	reuse_scan *r = arg;

	if (argon2id_verify(hash, r->pw, strlen(r->pw)) == ARGON2_OK)
		r->hit = true;
	return PDP_OK;
}

// password_check applies IAM's character rules and the account's
// password policy (length, classes, reuse of the last N passwords of
// `eid`, 0 for a new profile).
static bool
password_check(iamsi_ctx *c, const char *pw, int64_t eid,
    const char *current_hash)
{
	size_t n = strlen(pw);
	bool upper = false, lower = false, digit = false, sym = false;
	iams_pwpolicy p;

	for (const unsigned char *s = (const unsigned char *) pw; *s; s++) {
		if (*s < 0x20 && *s != '\t' && *s != '\n' && *s != '\r') {
			iamsi_fail(c, "ValidationError", "The specified "
			    "value for password is invalid.");
			return false;
		}
		upper |= *s >= 'A' && *s <= 'Z';
		lower |= *s >= 'a' && *s <= 'z';
		digit |= *s >= '0' && *s <= '9';
		sym |= *s < 0x80 && strchr("!@#$%^&*()_+-=[]{}|'", *s) != NULL;
	}
	if (n < 1 || n > PW_MAX) {
		iamsi_fail(c, "ValidationError", "1 validation error "
		    "detected: Value at 'password' failed to satisfy "
		    "constraint: Member must have length between 1 and %d",
		    PW_MAX);
		return false;
	}
	if (!policy_of(c, &p))
		return false;
	if (n < p.min_length || (p.upper && !upper) || (p.lower && !lower) ||
	    (p.numbers && !digit) || (p.symbols && !sym)) {
		iamsi_fail(c, "PasswordPolicyViolation", "Password does not "
		    "conform to the account password policy.");
		return false;
	}
	if (p.reuse > 0 && eid != 0) {
		reuse_scan r = {.pw = pw};
		if (current_hash != NULL)
			reuse_one(&r, current_hash);
		if (p.reuse > 1 && iams_store_login_history(c->st, eid,
		    p.reuse - 1, reuse_one, &r) != PDP_OK) {
			iamsi_store_fail(c, PDP_EIO, NULL);
			return false;
		}
		if (r.hit) {
			iamsi_fail(c, "PasswordPolicyViolation", "Policy "
			    "constraint violation with password reuse "
			    "prevention during password change.");
			return false;
		}
	}
	return true;
}

static json_t *
profile_json(const char *user, const iams_login *l)
{
	return json_pack("{s:s, s:o, s:b}", "UserName", user, "CreateDate",
	    iamsi_date(l->created), "PasswordResetRequired",
	    l->reset_required);
}

static int
create_login_profile(iamsi_ctx *c)
{
	const char *user = iamsi_need(c, "UserName"), *pw;
	char hash[256];
	iams_entity e;
	iams_login l;
	bool reset;
	int rv;

	if (user == NULL || (pw = iamsi_need(c, "Password")) == NULL ||
	    !iamsi_bool(c, "PasswordResetRequired", false, &reset) ||
	    !iamsi_check_name(c, "UserName", user, IAMSI_USER_NAME_MAX))
		return PDP_EINVAL;
	if (!iamsi_entity_find(c, IAMS_USER, user, "iam:CreateLoginProfile",
	    &e))
		return PDP_EINVAL;
	rv = iams_store_login_get(c->st, e.eid, &l);
	if (rv == PDP_OK) {
		iams_login_fini(&l);
		iams_entity_fini(&e);
		return iamsi_fail(c, "EntityAlreadyExists", "Login Profile "
		    "for user %s already exists.", user);
	}
	if (!password_check(c, pw, 0, NULL) ||
	    !hash_password(c, pw, hash, sizeof(hash))) {
		iams_entity_fini(&e);
		return PDP_EINVAL;
	}
	memset(&l, 0, sizeof(l));
	l.hash = hash;
	l.created = l.changed = c->now;
	l.reset_required = reset;
	rv = iams_store_login_put(c->st, e.eid, &l);
	if (rv == PDP_OK) {
		c->changed = true;
		json_object_set_new(c->resp, "LoginProfile",
		    profile_json(e.name, &l));
	}
	iams_entity_fini(&e);
	return rv == PDP_OK ? PDP_OK : iamsi_store_fail(c, rv, NULL);
}

// profile finds the user and its login profile.
static bool
profile(iamsi_ctx *c, const char *action, iams_entity *e, iams_login *l)
{
	int rv;

	if (!iamsi_self_or_named(c, action, e))
		return false;
	if ((rv = iams_store_login_get(c->st, e->eid, l)) != PDP_OK) {
		iamsi_store_fail(c, rv, NULL);
		if (rv == PDP_ENOENT)
			iamsi_fail(c, "NoSuchEntity", "Login Profile for "
			    "User %s cannot be found.", e->name);
		iams_entity_fini(e);
		return false;
	}
	return true;
}

static int
get_login_profile(iamsi_ctx *c)
{
	iams_entity e;
	iams_login l;

	if (!profile(c, "iam:GetLoginProfile", &e, &l))
		return PDP_EINVAL;
	json_object_set_new(c->resp, "LoginProfile", profile_json(e.name,
	    &l));
	iams_login_fini(&l);
	iams_entity_fini(&e);
	return PDP_OK;
}

// set_password replaces the profile's hash; the old one goes to the
// password history for reuse prevention.
static int
set_password(iamsi_ctx *c, iams_entity *e, iams_login *l, const char *pw,
    bool reset)
{
	char hash[256];
	int rv;

	if (!password_check(c, pw, e->eid, l->hash) ||
	    !hash_password(c, pw, hash, sizeof(hash)))
		return PDP_EINVAL;
	char *old = l->hash;
	l->hash = hash;
	l->changed = c->now;
	l->reset_required = reset;
	rv = iams_store_login_put(c->st, e->eid, l);
	l->hash = old;
	if (rv != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	c->changed = true;
	return PDP_OK;
}

static int
update_login_profile(iamsi_ctx *c)
{
	bool bad = false, reset;
	const char *pw = iamsi_str(c, "Password", &bad);
	iams_entity e;
	iams_login l;
	int rv = PDP_OK;

	if (bad || iamsi_need(c, "UserName") == NULL)
		return PDP_EINVAL;
	if (!profile(c, "iam:UpdateLoginProfile", &e, &l))
		return PDP_EINVAL;
	if (!iamsi_bool(c, "PasswordResetRequired", l.reset_required, &reset))
		rv = PDP_EINVAL;
	else if (pw != NULL)
		rv = set_password(c, &e, &l, pw, reset);
	else {
		l.reset_required = reset;
		// Re-putting the same hash would copy it to the history.
		char *keep = l.hash;
		rv = iams_store_login_put(c->st, e.eid, &l);
		l.hash = keep;
		rv = rv == PDP_OK ? PDP_OK : iamsi_store_fail(c, rv, NULL);
		c->changed = rv == PDP_OK;
	}
	iams_login_fini(&l);
	iams_entity_fini(&e);
	return rv;
}

static int
delete_login_profile(iamsi_ctx *c)
{
	iams_entity e;
	iams_login l;
	int rv;

	if (iamsi_need(c, "UserName") == NULL ||
	    !profile(c, "iam:DeleteLoginProfile", &e, &l))
		return PDP_EINVAL;
	rv = iams_store_login_delete(c->st, e.eid);
	iams_login_fini(&l);
	iams_entity_fini(&e);
	if (rv != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	c->changed = true;
	return PDP_OK;
}

static int
change_password(iamsi_ctx *c)
{
	const char *old = iamsi_need(c, "OldPassword"), *pw;
	iams_pwpolicy p;
	iams_entity e;
	iams_login l;
	int rv;

	if (old == NULL || (pw = iamsi_need(c, "NewPassword")) == NULL)
		return PDP_EINVAL;
	// Only an IAM user changes its own password here; root's password
	// is an account setting (a root-only task).
	if (!c->is_user)
		return iamsi_fail(c, "InvalidUserType", "Only IAM users can "
		    "change their own password.");
	if (!iamsi_authorize(c, "iam:ChangePassword", c->caller, NULL))
		return PDP_EINVAL;
	if (!policy_of(c, &p))
		return PDP_EINVAL;
	if (!p.allow_change)
		return iamsi_fail(c, "AccessDenied", "The account password "
		    "policy does not allow users to change their password.");
	if ((rv = iams_store_entity_get(c->st, c->account, IAMS_USER, c->user,
	    &e)) != PDP_OK)
		return iamsi_store_fail(c, rv, "The user cannot be found.");
	if ((rv = iams_store_login_get(c->st, e.eid, &l)) != PDP_OK) {
		iams_entity_fini(&e);
		return iamsi_store_fail(c, rv, "Login Profile cannot be "
		    "found.");
	}
	if (argon2id_verify(l.hash, old, strlen(old)) != ARGON2_OK)
		rv = iamsi_fail(c, "InvalidInput", "The old password is "
		    "incorrect.");
	else
		rv = set_password(c, &e, &l, pw, false);
	iams_login_fini(&l);
	iams_entity_fini(&e);
	return rv;
}

static int
update_password_policy(iamsi_ctx *c)
{
	iams_pwpolicy p;
	int64_t min, age, reuse;
	char arn[64];
	int rv;

	memset(&p, 0, sizeof(p));
	if (!iamsi_int(c, "MinimumPasswordLength", 6, &min) ||
	    !iamsi_int(c, "MaxPasswordAge", 0, &age) ||
	    !iamsi_int(c, "PasswordReusePrevention", 0, &reuse) ||
	    !iamsi_bool(c, "RequireSymbols", false, &p.symbols) ||
	    !iamsi_bool(c, "RequireNumbers", false, &p.numbers) ||
	    !iamsi_bool(c, "RequireUppercaseCharacters", false, &p.upper) ||
	    !iamsi_bool(c, "RequireLowercaseCharacters", false, &p.lower) ||
	    !iamsi_bool(c, "AllowUsersToChangePassword", false,
	    &p.allow_change) ||
	    !iamsi_bool(c, "HardExpiry", false, &p.hard_expiry))
		return PDP_EINVAL;
	if (min < 6 || min > 128)
		return iamsi_fail(c, "ValidationError", "1 validation error "
		    "detected: Value '%lld' at 'minimumPasswordLength' failed "
		    "to satisfy constraint: Member must have value between 6 "
		    "and 128", (long long) min);
	if (json_object_get(c->params, "MaxPasswordAge") && (age < 1 ||
	    age > 1095))
		return iamsi_fail(c, "ValidationError", "1 validation error "
		    "detected: Value '%lld' at 'maxPasswordAge' failed to "
		    "satisfy constraint: Member must have value between 1 "
		    "and 1095", (long long) age);
	if (json_object_get(c->params, "PasswordReusePrevention") &&
	    (reuse < 1 || reuse > 24))
		return iamsi_fail(c, "ValidationError", "1 validation error "
		    "detected: Value '%lld' at 'passwordReusePrevention' "
		    "failed to satisfy constraint: Member must have value "
		    "between 1 and 24", (long long) reuse);
	p.min_length = (uint32_t) min;
	p.max_age = (uint32_t) age;
	p.reuse = (uint32_t) reuse;
	snprintf(arn, sizeof(arn), "arn:aws:iam::%s:*", c->account);
	if (!iamsi_authorize(c, "iam:UpdateAccountPasswordPolicy", arn, NULL))
		return PDP_EINVAL;
	if ((rv = iams_store_pwpolicy_put(c->st, c->account, &p)) != PDP_OK)
		return iamsi_store_fail(c, rv, NULL);
	c->changed = true;
	return PDP_OK;
}

static int
get_password_policy(iamsi_ctx *c)
{
	iams_pwpolicy p;
	char arn[64];
	int rv;

	snprintf(arn, sizeof(arn), "arn:aws:iam::%s:*", c->account);
	if (!iamsi_authorize(c, "iam:GetAccountPasswordPolicy", arn, NULL))
		return PDP_EINVAL;
	if ((rv = iams_store_pwpolicy_get(c->st, c->account, &p)) != PDP_OK)
		return iamsi_store_fail(c, rv, "The Password Policy with "
		    "domain name " "cannot be found.");
	json_t *o = json_pack("{s:I, s:b, s:b, s:b, s:b, s:b, s:b, s:b}",
	    "MinimumPasswordLength", (json_int_t) p.min_length,
	    "RequireSymbols", p.symbols, "RequireNumbers", p.numbers,
	    "RequireUppercaseCharacters", p.upper,
	    "RequireLowercaseCharacters", p.lower,
	    "AllowUsersToChangePassword", p.allow_change,
	    "ExpirePasswords", p.max_age > 0, "HardExpiry", p.hard_expiry);
	if (p.max_age)
		json_object_set_new(o, "MaxPasswordAge",
		    json_integer(p.max_age));
	if (p.reuse)
		json_object_set_new(o, "PasswordReusePrevention",
		    json_integer(p.reuse));
	json_object_set_new(c->resp, "PasswordPolicy", o);
	return PDP_OK;
}

static int
delete_password_policy(iamsi_ctx *c)
{
	char arn[64];
	int rv;

	snprintf(arn, sizeof(arn), "arn:aws:iam::%s:*", c->account);
	if (!iamsi_authorize(c, "iam:DeleteAccountPasswordPolicy", arn, NULL))
		return PDP_EINVAL;
	if ((rv = iams_store_pwpolicy_delete(c->st, c->account)) != PDP_OK)
		return iamsi_store_fail(c, rv, "The account policy with name "
		    "PasswordPolicy cannot be found.");
	c->changed = true;
	return PDP_OK;
}

const iamsi_op iamsi_ops_login[] = {
	{"CreateLoginProfile", create_login_profile, true},
	{"GetLoginProfile", get_login_profile, false},
	{"UpdateLoginProfile", update_login_profile, true},
	{"DeleteLoginProfile", delete_login_profile, true},
	{"ChangePassword", change_password, true},
	{"UpdateAccountPasswordPolicy", update_password_policy, true},
	{"GetAccountPasswordPolicy", get_password_policy, false},
	{"DeleteAccountPasswordPolicy", delete_password_policy, true},
	{NULL, NULL, false},
};
