// oracle.c - the naive reference evaluator of oracle.h. Every rule cites
// its section of docs/iam-semantics.md. Written for
// obviousness, not speed: recursion, fixed buffers, repeated scans.

#define _GNU_SOURCE

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "oracle.h"

#define TEXT_MAX 8192

// --- Characters and strings ------------------------------------------------

static char
lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char) (c + 32) : c;
}

// fold copies s folded for IgnoreCase comparisons (3.4): ASCII letters
// and the Latin-1 capitals U+00C0..U+00DE except U+00D7, which arrive in
// UTF-8 as C3 80..9E.
static void
fold(char *out, const char *s)
{
	size_t i = 0;
	for (; s[i]; i++) {
		unsigned char c = (unsigned char) s[i];
		if (c == 0xC3 && s[i + 1]) {
			unsigned char d = (unsigned char) s[i + 1];
			if (d >= 0x80 && d <= 0x9E && d != 0x97)
				d += 0x20;
			out[i] = (char) c;
			out[i + 1] = (char) d;
			i++;
			continue;
		}
		out[i] = lower((char) c);
	}
	out[i] = '\0';
}

static bool
eq_ci(const char *a, const char *b)
{
	char x[TEXT_MAX], y[TEXT_MAX];
	if (strlen(a) >= TEXT_MAX || strlen(b) >= TEXT_MAX)
		return false;
	fold(x, a);
	fold(y, b);
	return strcmp(x, y) == 0;
}

static bool
is_digits(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

// --- 2.1 The glob primitive -------------------------------------------------

// glob matches `p` against `t`; lit[i] set means p[i] came from a policy
// variable and is literal (4: "Substituted text is literal").
static bool
glob(const char *p, const char *lit, const char *t, bool ci)
{
	if (*p == '\0')
		return *t == '\0';
	if (*p == '*' && !(lit && *lit)) {
		// Collapse runs of stars, then try every split.
		while (p[1] == '*' && !(lit && lit[1])) {
			p++;
			if (lit)
				lit++;
		}
		for (const char *s = t;; s++) {
			if (glob(p + 1, lit ? lit + 1 : NULL, s, ci))
				return true;
			if (*s == '\0')
				return false;
		}
	}
	if (*t == '\0')
		return false;
	if ((*p == '?' && !(lit && *lit)) ||
	    (ci ? lower(*p) == lower(*t) : *p == *t))
		return glob(p + 1, lit ? lit + 1 : NULL, t + 1, ci);
	return false;
}

// --- ARNs -------------------------------------------------------------------

typedef struct arn {
	char seg[6][TEXT_MAX / 4];
	int n; // parts found (6 for a full ARN)
} arn;

// arn_split splits on the first five colons (2.3 step 4); the sixth part
// is the rest, colons and all.
static bool
arn_split(const char *s, arn *a)
{
	size_t k = 0, j = 0;

	memset(a, 0, sizeof(*a));
	if (strlen(s) >= sizeof(a->seg[0]))
		return false;
	for (const char *c = s; *c; c++) {
		if (*c == ':' && k < 5) {
			a->seg[k][j] = '\0';
			k++;
			j = 0;
			continue;
		}
		a->seg[k][j++] = *c;
	}
	a->seg[k][j] = '\0';
	a->n = (int) k + 1;
	return a->n == 6 && strcmp(a->seg[0], "arn") == 0;
}

// --- The request context ----------------------------------------------------

#define CTX_MAX 256

typedef struct entry {
	const char *key;
	const char *const *values;
	size_t n;
	bool multi;
} entry;

typedef struct ctx {
	const oracle_request *q;
	entry e[CTX_MAX];
	size_t n;
	char keybuf[64][128];
	size_t nkey;
	char valbuf[16][512];
	const char *valptr[16];
	size_t nval;
	char caller_arn[512];
} ctx;

// find looks a key up case-insensitively (3.1); the first entry wins.
static const entry *
find(const ctx *c, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (eq_ci(c->e[i].key, key))
			return &c->e[i];
	return NULL;
}

static void
add(ctx *c, const char *key, const char *val)
{
	if (find(c, key) != NULL || c->n == CTX_MAX || c->nval == 16)
		return; // a value in the request wins
	snprintf(c->valbuf[c->nval], sizeof(c->valbuf[0]), "%s", val);
	c->valptr[c->nval] = c->valbuf[c->nval];
	c->e[c->n].key = key;
	c->e[c->n].values = &c->valptr[c->nval];
	c->e[c->n].n = 1;
	c->e[c->n].multi = false;
	c->n++;
	c->nval++;
}

// ctx_init takes the request's keys, then the principal's tags and the
// keys AWS derives from the principal (4.1), unless the request has them.
static void
ctx_init(ctx *c, const oracle_request *q)
{
	const oracle_caller *w = &q->who;
	char buf[512];

	memset(c, 0, sizeof(*c));
	c->q = q;
	for (size_t i = 0; i < q->nctx && c->n < CTX_MAX; i++) {
		c->e[c->n].key = q->ctx[i].key;
		c->e[c->n].values = q->ctx[i].values;
		c->e[c->n].n = q->ctx[i].nvalues;
		c->e[c->n].multi = q->ctx[i].multi;
		c->n++;
	}
	for (size_t i = 0; i < w->ntags && c->nkey < 64; i++) {
		snprintf(c->keybuf[c->nkey], sizeof(c->keybuf[0]),
		    "aws:PrincipalTag/%s", w->tag_keys[i]);
		add(c, c->keybuf[c->nkey++], w->tag_values[i]);
	}
	switch (w->kind) {
	case ORACLE_ROOT:
		snprintf(c->caller_arn, sizeof(c->caller_arn),
		    "arn:aws:iam::%s:root", w->account);
		add(c, "aws:PrincipalArn", c->caller_arn);
		add(c, "aws:userid", w->account);
		add(c, "aws:PrincipalType", "Account");
		break;
	case ORACLE_USER:
		snprintf(c->caller_arn, sizeof(c->caller_arn),
		    "arn:aws:iam::%s:user%s%s", w->account,
		    w->path ? w->path : "/", w->name);
		add(c, "aws:PrincipalArn", c->caller_arn);
		add(c, "aws:username", w->name);
		if (w->unique_id != NULL && w->unique_id[0])
			add(c, "aws:userid", w->unique_id);
		add(c, "aws:PrincipalType", "User");
		break;
	case ORACLE_ROLE_SESSION:
		snprintf(c->caller_arn, sizeof(c->caller_arn),
		    "arn:aws:sts::%s:assumed-role/%s/%s", w->account, w->name,
		    w->session);
		// aws:PrincipalArn is the role's ARN, not the session's (2.4).
		snprintf(buf, sizeof(buf), "arn:aws:iam::%s:role/%s",
		    w->account, w->name);
		add(c, "aws:PrincipalArn", buf);
		if (w->unique_id != NULL && w->unique_id[0]) {
			snprintf(buf, sizeof(buf), "%s:%s", w->unique_id,
			    w->session);
			add(c, "aws:userid", buf);
		}
		add(c, "aws:PrincipalType", "AssumedRole");
		break;
	case ORACLE_FEDUSER:
		snprintf(c->caller_arn, sizeof(c->caller_arn),
		    "arn:aws:sts::%s:federated-user/%s", w->account, w->name);
		add(c, "aws:PrincipalArn", c->caller_arn);
		snprintf(buf, sizeof(buf), "%s:%s", w->account, w->name);
		add(c, "aws:userid", buf);
		add(c, "aws:PrincipalType", "FederatedUser");
		break;
	case ORACLE_ANONYMOUS:
		add(c, "aws:userid", "anonymous");
		add(c, "aws:PrincipalAccount", "anonymous");
		add(c, "aws:PrincipalType", "Anonymous");
		break;
	case ORACLE_SERVICE:
		snprintf(c->caller_arn, sizeof(c->caller_arn), "%s", w->name);
		add(c, "aws:PrincipalServiceName", w->name);
		break;
	}
	if (w->account != NULL && w->account[0])
		add(c, "aws:PrincipalAccount", w->account);
	add(c, "aws:PrincipalIsAWSService",
	    w->kind == ORACLE_SERVICE ? "true" : "false");
}

// is_null: absent, an empty string, or an empty list (3.2, 3.11).
static bool
is_null(const entry *e)
{
	return e == NULL || e->n == 0 || (!e->multi && e->values[0][0] == 0);
}

// --- 4. Policy variables ---------------------------------------------------

// expand substitutes ${...} in `s` into out/lit. Returns false when a
// variable has no value and no default.
static bool
expand(const ctx *c, const char *s, bool vars, char *out, char *lit,
    size_t cap)
{
	size_t n = 0;

	while (*s && n + 1 < cap) {
		const char *close;
		if (vars && s[0] == '$' && s[1] == '{' &&
		    (close = strchr(s + 2, '}')) != NULL) {
			char inner[512], key[512], dflt[512];
			size_t in = (size_t) (close - s - 2);
			bool has_dflt = false;
			const char *val = NULL;
			if (in >= sizeof(inner))
				return false;
			memcpy(inner, s + 2, in);
			inner[in] = '\0';
			s = close + 1;
			if (strcmp(inner, "*") == 0 ||
			    strcmp(inner, "?") == 0 ||
			    strcmp(inner, "$") == 0) {
				out[n] = inner[0];
				lit[n++] = 1;
				continue;
			}
			// ${key, 'default'}: comma, one space, single quotes.
			const char *comma = strstr(inner, ", '");
			size_t il = strlen(inner);
			if (comma != NULL && il > 0 && inner[il - 1] == '\'' &&
			    (size_t) (comma - inner) + 3 <= il - 1) {
				memcpy(key, inner, (size_t) (comma - inner));
				key[comma - inner] = '\0';
				size_t dl = il - 4 - (size_t) (comma - inner);
				memcpy(dflt, comma + 3, dl);
				dflt[dl] = '\0';
				has_dflt = true;
			} else {
				snprintf(key, sizeof(key), "%s", inner);
			}
			// Only a single, non-empty value can be substituted.
			const entry *e = find(c, key);
			if (e != NULL && !e->multi && e->n == 1 &&
			    e->values[0][0] != '\0')
				val = e->values[0];
			else if (has_dflt)
				val = dflt;
			else
				return false;
			for (; *val && n + 1 < cap; val++) {
				out[n] = *val;
				lit[n++] = 1;
			}
			continue;
		}
		out[n] = *s++;
		lit[n++] = 0;
	}
	out[n] = '\0';
	lit[n] = 0;
	return true;
}

// --- 3. Conditions ----------------------------------------------------------

enum ctype {
	T_STR, T_STR_IC, T_LIKE, T_NUM, T_DATE, T_BOOL, T_BIN, T_IP, T_ARN,
	T_NULL,
};

enum cmpop { C_EQ, C_LT, C_LE, C_GT, C_GE };

typedef struct opdef {
	const char *name;
	enum ctype type;
	enum cmpop cmp;
	bool negated;
} opdef;

// 3.14: the 27 base operators.
static const opdef ops[] = {
	{"StringEquals", T_STR, C_EQ, false},
	{"StringNotEquals", T_STR, C_EQ, true},
	{"StringEqualsIgnoreCase", T_STR_IC, C_EQ, false},
	{"StringNotEqualsIgnoreCase", T_STR_IC, C_EQ, true},
	{"StringLike", T_LIKE, C_EQ, false},
	{"StringNotLike", T_LIKE, C_EQ, true},
	{"NumericEquals", T_NUM, C_EQ, false},
	{"NumericNotEquals", T_NUM, C_EQ, true},
	{"NumericLessThan", T_NUM, C_LT, false},
	{"NumericLessThanEquals", T_NUM, C_LE, false},
	{"NumericGreaterThan", T_NUM, C_GT, false},
	{"NumericGreaterThanEquals", T_NUM, C_GE, false},
	{"DateEquals", T_DATE, C_EQ, false},
	{"DateNotEquals", T_DATE, C_EQ, true},
	{"DateLessThan", T_DATE, C_LT, false},
	{"DateLessThanEquals", T_DATE, C_LE, false},
	{"DateGreaterThan", T_DATE, C_GT, false},
	{"DateGreaterThanEquals", T_DATE, C_GE, false},
	{"Bool", T_BOOL, C_EQ, false},
	{"BinaryEquals", T_BIN, C_EQ, false},
	{"IpAddress", T_IP, C_EQ, false},
	{"NotIpAddress", T_IP, C_EQ, true},
	{"ArnEquals", T_ARN, C_EQ, false},
	{"ArnLike", T_ARN, C_EQ, false},
	{"ArnNotEquals", T_ARN, C_EQ, true},
	{"ArnNotLike", T_ARN, C_EQ, true},
	{"Null", T_NULL, C_EQ, false},
};

enum { NOMATCH, MATCH, ERROR };

// 3.5: optional sign, digits, optional fraction; nothing else.
static bool
parse_num(const char *s, long double *out)
{
	const char *p = s;
	if (*p == '+' || *p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p != '\0' || strlen(s) > 100)
		return false;
	*out = strtold(s, NULL);
	return true;
}

static bool
take_digits(const char **p, int min, int max, long long *v)
{
	int k = 0;
	*v = 0;
	while (**p >= '0' && **p <= '9' && k < max) {
		*v = *v * 10 + (**p - '0');
		(*p)++;
		k++;
	}
	return k >= min && !(**p >= '0' && **p <= '9');
}

// 3.6: ISO 8601 when the text has T, t or -, else epoch seconds. The
// instant is (seconds since the epoch, nanoseconds), computed with
// timegm; the oracle supports years 1..9999, which is all it is fed.
static bool
parse_date(const char *s, long long *sec, long *nsec)
{
	const char *p = s;
	long long y, mo = 1, d = 1, h = 0, mi = 0, se = 0, frac = 0;
	long long off = 0;
	int fd = 0;

	if (strpbrk(s, "Tt-") == NULL) {
		if (*s == '\0' || strlen(s) > 19)
			return false;
		for (p = s; *p; p++)
			if (*p < '0' || *p > '9')
				return false;
		unsigned long long v = strtoull(s, NULL, 10);
		if (v > 9223372036854775807ull)
			return false;
		*sec = (long long) v;
		*nsec = 0;
		return true;
	}
	if (!take_digits(&p, 1, 9, &y) || y < 1 || y > 9999)
		return false;
	if (*p == '-') {
		p++;
		if (!take_digits(&p, 1, 2, &mo) || mo < 1 || mo > 12)
			return false;
		if (*p == '-') {
			p++;
			if (!take_digits(&p, 1, 2, &d) || d < 1 || d > 31)
				return false;
		}
	}
	if (*p == 'T' || *p == 't') {
		p++;
		if (*p != '\0') {
			if (!take_digits(&p, 1, 2, &h) || h > 23)
				return false;
			if (*p == ':') {
				p++;
				if (!take_digits(&p, 1, 2, &mi) || mi > 59)
					return false;
				if (*p == ':') {
					p++;
					if (!take_digits(&p, 1, 2, &se) ||
					    se > 59)
						return false;
					if (*p == '.') {
						const char *st = ++p;
						if (!take_digits(&p, 1, 9,
						    &frac))
							return false;
						fd = (int) (p - st);
					}
				}
			}
			if (*p == 'Z' || *p == 'z') {
				p++;
			} else if (*p == '+' || *p == '-') {
				int sign = *p == '-' ? -1 : 1;
				long long oh, om = 0;
				p++;
				if (!take_digits(&p, 2, 2, &oh) || oh > 23)
					return false;
				if (*p == ':') {
					p++;
					if (!take_digits(&p, 2, 2, &om) ||
					    om > 59)
						return false;
				}
				off = sign * (oh * 3600 + om * 60);
			}
		}
	}
	if (*p != '\0')
		return false;
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = (int) (y - 1900);
	tm.tm_mon = (int) (mo - 1);
	tm.tm_mday = (int) d;
	tm.tm_hour = (int) h;
	tm.tm_min = (int) mi;
	tm.tm_sec = (int) se;
	*sec = (long long) timegm(&tm) - off;
	for (; fd < 9; fd++)
		frac *= 10;
	*nsec = (long) frac;
	return true;
}

static bool
parse_bool(const char *s, bool *out)
{
	if (eq_ci(s, "true"))
		*out = true;
	else if (eq_ci(s, "false"))
		*out = false;
	else
		return false;
	return true;
}

typedef struct cidr {
	int family; // 4, 6
	int bits;
	unsigned char a[16];
} cidr;

static bool
parse_cidr(const char *s, bool allow_prefix, cidr *c)
{
	char buf[128];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t) (slash - s) : strlen(s);

	memset(c, 0, sizeof(*c));
	if (n >= sizeof(buf) || (slash && !allow_prefix))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, c->a) == 1) {
		c->family = 4;
		c->bits = 32;
	} else if (inet_pton(AF_INET6, buf, c->a) == 1) {
		c->family = 6;
		c->bits = 128;
	} else {
		return false;
	}
	if (slash) {
		const char *p = slash + 1;
		long long b;
		if (!take_digits(&p, 1, 3, &b) || *p || b > c->bits)
			return false;
		c->bits = (int) b;
	}
	return true;
}

// in_net compares the first net->bits bits (host bits of the policy's
// CIDR are ignored, as if masked: 3.9).
static bool
in_net(const cidr *net, const cidr *ip)
{
	if (net->family != ip->family)
		return false;
	for (int b = 0; b < net->bits; b++) {
		int m = 0x80 >> (b % 8);
		if ((net->a[b / 8] & m) != (ip->a[b / 8] & m))
			return false;
	}
	return true;
}

static int
b64v(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

// b64 decodes standard base64 with padding; false when invalid.
static bool
b64(const char *s, char *out, size_t *n)
{
	size_t len = strlen(s), k = 0;
	if (len % 4 != 0)
		return false;
	for (size_t i = 0; i < len; i += 4) {
		int v[4];
		for (int j = 0; j < 4; j++) {
			v[j] = s[i + j] == '=' ? 0 : b64v(s[i + j]);
			if (v[j] < 0)
				return false;
			if (s[i + j] == '=' && i + 4 != len)
				return false;
		}
		unsigned x = (unsigned) (v[0] << 18 | v[1] << 12 | v[2] << 6 |
		    v[3]);
		out[k++] = (char) (x >> 16);
		if (s[i + 2] != '=')
			out[k++] = (char) (x >> 8);
		if (s[i + 3] != '=')
			out[k++] = (char) x;
	}
	*n = k;
	return true;
}

static int
ordered(enum cmpop op, int c)
{
	switch (op) {
	case C_EQ: return c == 0 ? MATCH : NOMATCH;
	case C_LT: return c < 0 ? MATCH : NOMATCH;
	case C_LE: return c <= 0 ? MATCH : NOMATCH;
	case C_GT: return c > 0 ? MATCH : NOMATCH;
	default: return c >= 0 ? MATCH : NOMATCH;
	}
}

// cmp compares request value r with policy value v under the positive
// form of the operator (3.3): MATCH, NOMATCH or ERROR.
static int
cmp(const ctx *c, const opdef *op, const char *r, const char *v, bool vars)
{
	char t[TEXT_MAX], lit[TEXT_MAX];

	switch (op->type) {
	case T_STR:
	case T_STR_IC:
	case T_LIKE:
	case T_ARN:
	case T_BOOL:
		// Variables work in string, ARN and Bool values (3.7, 4);
		// without a value they match nothing (4).
		if (!expand(c, v, vars, t, lit, sizeof(t)))
			return NOMATCH;
		break;
	default:
		break;
	}
	switch (op->type) {
	case T_STR:
		return strcmp(t, r) == 0 ? MATCH : NOMATCH;
	case T_STR_IC:
		return eq_ci(t, r) ? MATCH : NOMATCH;
	case T_LIKE:
		return glob(t, lit, r, false) ? MATCH : NOMATCH;
	case T_ARN: {
		// 3.10: six components, each globbed on its own.
		arn pa, ra;
		if (!arn_split(t, &pa) || !arn_split(r, &ra))
			return ERROR;
		// The literal marks follow the pattern's characters.
		size_t at = 0;
		for (int i = 0; i < 6; i++) {
			if (!glob(pa.seg[i], lit + at, ra.seg[i], false))
				return NOMATCH;
			at += strlen(pa.seg[i]) + 1;
		}
		return MATCH;
	}
	case T_BOOL: {
		bool a, b;
		if (!parse_bool(t, &a) || !parse_bool(r, &b))
			return ERROR;
		return a == b ? MATCH : NOMATCH;
	}
	case T_NUM: {
		long double a, b;
		if (!parse_num(v, &b) || !parse_num(r, &a))
			return ERROR;
		// Compare as doubles, as the values are numbers (3.5).
		double x = (double) a, y = (double) b;
		return ordered(op->cmp, x < y ? -1 : x > y ? 1 : 0);
	}
	case T_DATE: {
		long long as, bs;
		long an, bn;
		if (!parse_date(v, &bs, &bn) || !parse_date(r, &as, &an))
			return ERROR;
		int k = as < bs ? -1 : as > bs ? 1 : an < bn ? -1 :
		    an > bn ? 1 : 0;
		return ordered(op->cmp, k);
	}
	case T_IP: {
		cidr net, ip;
		if (!parse_cidr(v, true, &net) || !parse_cidr(r, false, &ip))
			return ERROR;
		return in_net(&net, &ip) ? MATCH : NOMATCH;
	}
	case T_BIN: {
		char buf[TEXT_MAX];
		size_t n;
		if (strlen(v) >= sizeof(buf) || !b64(v, buf, &n))
			return ERROR;
		return (n == strlen(r) && memcmp(buf, r, n) == 0) ? MATCH :
		    NOMATCH;
	}
	default:
		return ERROR;
	}
}

// match_one: a positive operator needs one policy value to match; a
// negated one needs every value to be a clean non-match (3.1, 3.3).
static bool
match_one(const ctx *c, const opdef *op, const char *r,
    const char *const *vals, size_t nv, bool vars)
{
	for (size_t i = 0; i < nv; i++) {
		int m = cmp(c, op, r, vals[i], vars);
		if (!op->negated && m == MATCH)
			return true;
		if (op->negated && m != NOMATCH)
			return false;
	}
	return op->negated;
}

// scalar gives a condition value's string form (1.1: numbers and
// booleans may be written without quotes).
static const char *
scalar(const json_t *v, char *buf, size_t cap)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_true(v))
		return "true";
	if (json_is_false(v))
		return "false";
	if (json_is_integer(v)) {
		snprintf(buf, cap, "%lld", (long long) json_integer_value(v));
		return buf;
	}
	if (json_is_real(v)) {
		snprintf(buf, cap, "%.17g", json_real_value(v));
		return buf;
	}
	return NULL;
}

// cond evaluates one (operator, key, values) test (3.3).
static bool
cond(const ctx *c, const char *opname, const char *key, const json_t *jv,
    bool vars)
{
	int set = 0; // 1 ForAnyValue, 2 ForAllValues
	bool if_exists = false;
	char base[128];
	const opdef *op = NULL;
	const char *vals[64];
	char vbuf[64][48];
	size_t nv = 0;

	if (strncmp(opname, "ForAnyValue:", 12) == 0) {
		set = 1;
		opname += 12;
	} else if (strncmp(opname, "ForAllValues:", 13) == 0) {
		set = 2;
		opname += 13;
	}
	snprintf(base, sizeof(base), "%s", opname);
	size_t bl = strlen(base);
	if (bl > 8 && strcmp(base + bl - 8, "IfExists") == 0) {
		if_exists = true;
		base[bl - 8] = '\0';
	}
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(ops[i].name, base) == 0)
			op = &ops[i];
	if (op == NULL || (op->type == T_NULL && (if_exists || set)))
		return false; // not a valid operator (1.9, 3.14)
	if (json_is_array(jv)) {
		for (size_t i = 0; i < json_array_size(jv) && nv < 64; i++)
			if ((vals[nv] = scalar(json_array_get(jv, i), vbuf[nv],
			    sizeof(vbuf[0]))) != NULL)
				nv++;
	} else if ((vals[0] = scalar(jv, vbuf[0], sizeof(vbuf[0]))) != NULL) {
		nv = 1;
	}

	const entry *e = find(c, key);
	if (op->type == T_NULL) {
		// 3.11: "true" holds when the key is null, "false" when
		// it is present with a value.
		for (size_t i = 0; i < nv; i++) {
			bool want;
			if (parse_bool(vals[i], &want) && want == is_null(e))
				return true;
		}
		return false;
	}
	if (set == 0) {
		if (e == NULL)
			return if_exists || op->negated; // 3.2
		if (e->multi || e->n != 1)
			return false; // a list needs a set operator (3.2)
		return match_one(c, op, e->values[0], vals, nv, vars);
	}
	if (e == NULL && if_exists)
		return true;
	// A null key is an empty set (3.2, 3.13).
	size_t n = is_null(e) ? 0 : e->n;
	for (size_t i = 0; i < n; i++) {
		bool m = match_one(c, op, e->values[i], vals, nv, vars);
		if (set == 1 && m)
			return true;
		if (set == 2 && !m)
			return false;
	}
	return set == 2;
}

static bool
conditions(const ctx *c, const json_t *block, bool vars)
{
	const char *opname, *key;
	json_t *keys, *v;

	if (block == NULL)
		return true;
	json_object_foreach((json_t *) block, opname, keys) {
		json_object_foreach(keys, key, v) {
			if (!cond(c, opname, key, v, vars))
				return false;
		}
	}
	return true;
}

// --- 2.2 Actions ------------------------------------------------------------

static bool
action_matches(const char *pat, const char *action)
{
	const char *pc, *ac;

	if (strcmp(pat, "*") == 0)
		return true;
	if ((pc = strchr(pat, ':')) == NULL || (ac = strchr(action, ':')) ==
	    NULL)
		return false;
	// The prefix is literal and case-insensitive; the name is a
	// case-insensitive glob.
	if ((size_t) (pc - pat) != (size_t) (ac - action) ||
	    strncasecmp(pat, action, (size_t) (pc - pat)) != 0)
		return false;
	return glob(pc + 1, NULL, ac + 1, true);
}

// any_of applies `f` to a string or a list of strings.
static bool
any_action(const json_t *el, const char *action)
{
	if (json_is_string(el))
		return action_matches(json_string_value(el), action);
	for (size_t i = 0; i < json_array_size(el); i++)
		if (action_matches(json_string_value(json_array_get(el, i)),
		    action))
			return true;
	return false;
}

// --- 2.3 Resources ----------------------------------------------------------

static bool
resource_matches(const ctx *c, const char *pat, bool vars, bool rbp)
{
	const char *res = c->q->resource;
	arn pa, ra;
	char text[TEXT_MAX], lit[TEXT_MAX];

	if (strcmp(pat, "*") == 0)
		return true; // step 1
	if (strcmp(res, "*") == 0 || !arn_split(res, &ra))
		return false; // step 2
	if (!arn_split(pat, &pa)) {
		// Step 5: a short ARN is padded with "*" segments, in
		// resource-based policies only when it has a wildcard.
		if (pa.n >= 6 || strcmp(pa.seg[0], "arn") != 0)
			return false;
		if (rbp && strpbrk(pat, "*?") == NULL)
			return false;
		for (int i = pa.n; i < 6; i++)
			strcpy(pa.seg[i], "*");
	}
	for (int i = 0; i < 5; i++)
		if (!glob(pa.seg[i], NULL, ra.seg[i], false))
			return false;
	// Step 3: variables in the resource part; unresolved: no match.
	if (!expand(c, pa.seg[5], vars, text, lit, sizeof(text)))
		return false;
	return glob(text, lit, ra.seg[5], false);
}

static bool
any_resource(const ctx *c, const json_t *el, bool vars, bool rbp)
{
	if (json_is_string(el))
		return resource_matches(c, json_string_value(el), vars, rbp);
	for (size_t i = 0; i < json_array_size(el); i++)
		if (resource_matches(c,
		    json_string_value(json_array_get(el, i)), vars, rbp))
			return true;
	return false;
}

// --- 2.4, 2.5 Principals ----------------------------------------------------

enum {
	DIRECT = 1, WILDCARD = 2, ROLE = 4, PARENT = 8, ACCOUNT = 16,
};

static bool
authenticated(const oracle_caller *w)
{
	return w->kind == ORACLE_ROOT || w->kind == ORACLE_USER ||
	    w->kind == ORACLE_ROLE_SESSION || w->kind == ORACLE_FEDUSER;
}

static const char *
last_part(const char *s)
{
	const char *slash = strrchr(s, '/');
	return slash ? slash + 1 : s;
}

// aws_category says how an "AWS" principal value names the caller.
static unsigned
aws_category(const ctx *c, const char *v)
{
	const oracle_caller *w = &c->q->who;
	arn a;

	if (strcmp(v, "*") == 0)
		return WILDCARD;
	if (is_digits(v, 12))
		return (authenticated(w) && strcmp(v, w->account) == 0) ?
		    ACCOUNT : 0;
	if (arn_split(v, &a)) {
		const char *svc = a.seg[2], *acct = a.seg[4], *rest = a.seg[5];
		bool same = strcmp(acct, w->account ? w->account : "") == 0;
		if (strcmp(svc, "iam") == 0 && strcmp(rest, "root") == 0)
			return (authenticated(w) && same) ? ACCOUNT : 0;
		if (strcmp(svc, "iam") == 0 && strncmp(rest, "user/", 5) == 0)
			return (w->kind == ORACLE_USER && same &&
			    strcmp(last_part(rest), w->name) == 0) ?
			    DIRECT : 0;
		if (strcmp(svc, "iam") == 0 && strncmp(rest, "role/", 5) == 0)
			return (w->kind == ORACLE_ROLE_SESSION && same &&
			    eq_ci(last_part(rest), w->name)) ? ROLE : 0;
		if (strcmp(svc, "sts") == 0 &&
		    strncmp(rest, "assumed-role/", 13) == 0) {
			char r[512];
			const char *s = strchr(rest + 13, '/');
			if (s == NULL || w->kind != ORACLE_ROLE_SESSION ||
			    !same)
				return 0;
			snprintf(r, sizeof(r), "%.*s", (int) (s - rest - 13),
			    rest + 13);
			return (eq_ci(r, w->name) &&
			    strcmp(s + 1, w->session) == 0) ? DIRECT : 0;
		}
		if (strcmp(svc, "sts") == 0 &&
		    strncmp(rest, "federated-user/", 15) == 0)
			return (w->kind == ORACLE_FEDUSER && same &&
			    strcmp(rest + 15, w->name) == 0) ? DIRECT : 0;
		return strcmp(v, c->caller_arn) == 0 ? DIRECT : 0;
	}
	// A unique id stands for its entity (2.4 notes).
	if (w->unique_id != NULL && w->unique_id[0] &&
	    strcmp(v, w->unique_id) == 0) {
		if (w->kind == ORACLE_USER)
			return DIRECT;
		if (w->kind == ORACLE_ROLE_SESSION)
			return ROLE;
	}
	return 0;
}

// for_each_value calls f on a string or each string of a list.
static unsigned
values_category(const ctx *c, const json_t *el, const char *type)
{
	unsigned cat = 0;
	const oracle_caller *w = &c->q->who;

	for (size_t i = 0; i < (json_is_array(el) ? json_array_size(el) : 1);
	    i++) {
		const json_t *x = json_is_array(el) ? json_array_get(el, i) :
		    el;
		const char *v = json_string_value(x);
		if (v == NULL)
			continue;
		if (strcmp(type, "AWS") == 0)
			cat |= aws_category(c, v);
		else if (strcmp(type, "Service") == 0)
			cat |= (w->kind == ORACLE_SERVICE &&
			    eq_ci(v, w->name)) ? DIRECT : 0;
		else
			cat |= strcmp(v, c->caller_arn) == 0 ? DIRECT : 0;
	}
	return cat;
}

static unsigned
principal_category(const ctx *c, const json_t *p)
{
	const char *type;
	json_t *v;
	unsigned cat = 0;

	if (json_is_string(p))
		return strcmp(json_string_value(p), "*") == 0 ? WILDCARD : 0;
	json_object_foreach((json_t *) p, type, v)
		cat |= values_category(c, v, type);
	return cat;
}

// listed reports whether one element of the caller's identity chain is
// named by a NotPrincipal: 0 the account, 1 the user, role or federated
// user, 2 the role session (2.5, strict model).
static bool
listed(const ctx *c, const json_t *np, int level)
{
	const oracle_caller *w = &c->q->who;
	const char *type;
	json_t *v;

	if (json_is_string(np))
		return strcmp(json_string_value(np), "*") == 0;
	json_object_foreach((json_t *) np, type, v) {
		size_t n = json_is_array(v) ? json_array_size(v) : 1;
		for (size_t i = 0; i < n; i++) {
			const json_t *x = json_is_array(v) ?
			    json_array_get(v, i) : v;
			const char *s = json_string_value(x);
			if (s == NULL)
				continue;
			if (strcmp(type, "AWS") == 0 && strcmp(s, "*") == 0)
				return true;
			unsigned cat = values_category(c, x, type);
			if (level == 0 && (cat & ACCOUNT))
				return true;
			if (level == 1 && ((cat & ROLE) || ((cat & DIRECT) &&
			    w->kind != ORACLE_ROLE_SESSION)))
				return true;
			if (level == 2 && (cat & DIRECT))
				return true;
		}
	}
	return false;
}

static bool
not_principal_matches(const ctx *c, const json_t *np)
{
	const oracle_caller *w = &c->q->who;

	switch (w->kind) {
	case ORACLE_USER:
	case ORACLE_ROLE_SESSION:
		// A user or role with a permissions boundary never escapes.
		if (w->has_boundary)
			return true;
		if (!listed(c, np, 0) || !listed(c, np, 1))
			return true;
		return w->kind == ORACLE_ROLE_SESSION && !listed(c, np, 2);
	case ORACLE_FEDUSER:
		return !listed(c, np, 0) || !listed(c, np, 1);
	case ORACLE_ROOT:
		return !listed(c, np, 0);
	case ORACLE_ANONYMOUS: {
		// Only "*" excludes an anonymous caller.
		if (json_is_string(np))
			return strcmp(json_string_value(np), "*") != 0;
		const json_t *aws = json_object_get(np, "AWS");
		for (size_t i = 0; aws && i < (json_is_array(aws) ?
		    json_array_size(aws) : 1); i++) {
			const json_t *x = json_is_array(aws) ?
			    json_array_get(aws, i) : aws;
			if (json_is_string(x) &&
			    strcmp(json_string_value(x), "*") == 0)
				return false;
		}
		return true;
	}
	default:
		return principal_category(c, np) == 0;
	}
}

// --- 5.2 Applicability ------------------------------------------------------

// applies returns the categories by which statement `st` with `effect`
// applies, or 0. `named`: the policy names principals (resource, trust,
// RCP); other policies' statements apply to their owner (DIRECT).
static unsigned
applies(const ctx *c, const json_t *st, const char *effect, bool vars,
    bool named)
{
	const json_t *e = json_object_get(st, "Effect");
	unsigned cat = DIRECT;

	if (!json_is_string(e) || strcmp(json_string_value(e), effect) != 0)
		return 0;
	const json_t *a = json_object_get(st, "Action");
	const json_t *na = json_object_get(st, "NotAction");
	if (a != NULL && !any_action(a, c->q->action))
		return 0;
	if (na != NULL && any_action(na, c->q->action))
		return 0;
	if (named) {
		const json_t *p = json_object_get(st, "Principal");
		const json_t *np = json_object_get(st, "NotPrincipal");
		if (p != NULL)
			cat = principal_category(c, p);
		else if (np != NULL)
			cat = not_principal_matches(c, np) ? WILDCARD : 0;
		else
			cat = 0; // 2.4 notes: no principal never matches
		if (cat == 0)
			return 0;
	}
	const json_t *r = json_object_get(st, "Resource");
	const json_t *nr = json_object_get(st, "NotResource");
	// No Resource element: the policy's own resource (1.7).
	if (r != NULL && !any_resource(c, r, vars, named))
		return 0;
	if (nr != NULL && any_resource(c, nr, vars, named))
		return 0;
	if (!conditions(c, json_object_get(st, "Condition"), vars))
		return 0;
	return cat;
}

static unsigned
policy_applies(const ctx *c, const json_t *doc, const char *effect,
    bool named)
{
	const json_t *v = json_object_get(doc, "Version");
	bool vars = json_is_string(v) &&
	    strcmp(json_string_value(v), "2012-10-17") == 0;
	const json_t *s = json_object_get(doc, "Statement");
	unsigned cat = 0;

	if (doc == NULL)
		return 0;
	if (json_is_object(s))
		return applies(c, s, effect, vars, named);
	for (size_t i = 0; i < json_array_size(s); i++)
		cat |= applies(c, json_array_get(s, i), effect, vars, named);
	return cat;
}

static unsigned
set_applies(const ctx *c, const oracle_set *set, const char *effect,
    bool named)
{
	unsigned cat = 0;
	for (size_t i = 0; i < set->n; i++)
		cat |= policy_applies(c, set->v[i], effect, named);
	return cat;
}

// --- 5.4 The decision algorithm ---------------------------------------------

static bool
is_trust_action(const oracle_request *q)
{
	static const char *const acts[] = {"sts:AssumeRole",
	    "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity",
	    "sts:TagSession", "sts:SetSourceIdentity"};
	arn a;
	bool on_role = arn_split(q->resource, &a) &&
	    strcmp(a.seg[2], "iam") == 0 && strncmp(a.seg[5], "role/", 5) == 0;

	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
		if (eq_ci(q->action, acts[i]))
			return on_role;
	return false;
}

// Only actions on a KMS key need the key policy (iam-semantics 5.4: "every
// KMS key action"); kms:ListKeys on "*" follows the general rules.
static bool
is_kms_action(const oracle_request *q)
{
	arn a;

	return strncasecmp(q->action, "kms:", 4) == 0 &&
	    arn_split(q->resource, &a) && strcmp(a.seg[2], "kms") == 0 &&
	    strncmp(a.seg[5], "key/", 4) == 0 && a.seg[5][4] != '\0';
}

#define WHY(text) \
	do { \
		if (why != NULL) \
			*why = (text); \
	} while (0)

pdp_effect
oracle_decide(const oracle_world *w, const oracle_request *q,
    const char **why)
{
	static ctx c; // big; the oracle is single-threaded
	const oracle_caller *p = &q->who;

	ctx_init(&c, q);
	bool same = q->resource_account != NULL &&
	    q->resource_account[0] != '\0' &&
	    strcmp(q->resource_account, p->account ? p->account : "") == 0;

	// 5.5: GetCallerIdentity needs no permission.
	if (eq_ci(q->action, "sts:GetCallerIdentity") && authenticated(p)) {
		WHY("GetCallerIdentity");
		return PDP_ALLOW;
	}
	bool slr = p->kind == ORACLE_ROLE_SESSION && p->service_linked;
	size_t nscp = (authenticated(p) && !slr) ? w->nscp : 0;
	size_t nrcp = slr ? 0 : w->nrcp;

	// 1. Explicit deny anywhere.
	for (size_t i = 0; i < nscp; i++)
		if (set_applies(&c, &w->scp[i], "Deny", false)) {
			WHY("deny in an SCP");
			return PDP_EXPLICIT_DENY;
		}
	for (size_t i = 0; i < nrcp; i++)
		if (set_applies(&c, &w->rcp[i], "Deny", true)) {
			WHY("deny in an RCP");
			return PDP_EXPLICIT_DENY;
		}
	if (w->resource && policy_applies(&c, w->resource, "Deny", true)) {
		WHY("deny in the resource policy");
		return PDP_EXPLICIT_DENY;
	}
	if (set_applies(&c, &w->identity, "Deny", false)) {
		WHY("deny in an identity policy");
		return PDP_EXPLICIT_DENY;
	}
	if (w->has_boundary && set_applies(&c, &w->boundary, "Deny", false)) {
		WHY("deny in the boundary");
		return PDP_EXPLICIT_DENY;
	}
	if (w->has_session && set_applies(&c, &w->session, "Deny", false)) {
		WHY("deny in the session policy");
		return PDP_EXPLICIT_DENY;
	}

	// 2. RCPs and 3. SCPs: every level must allow.
	for (size_t i = 0; i < nrcp; i++)
		if (!set_applies(&c, &w->rcp[i], "Allow", true)) {
			WHY("an RCP level allows nothing");
			return PDP_IMPLICIT_DENY;
		}
	for (size_t i = 0; i < nscp; i++)
		if (!set_applies(&c, &w->scp[i], "Allow", false)) {
			WHY("an SCP level allows nothing");
			return PDP_IMPLICIT_DENY;
		}

	unsigned rbp = w->resource ?
	    policy_applies(&c, w->resource, "Allow", true) : 0;
	bool trust = is_trust_action(q);
	bool explicit_grant = trust || is_kms_action(q);

	// 4. The root user.
	if (p->kind == ORACLE_ROOT) {
		if (trust && eq_ci(q->action, "sts:AssumeRole")) {
			WHY("root may not assume roles");
			return PDP_IMPLICIT_DENY;
		}
		if (explicit_grant && rbp == 0) {
			WHY("root needs the resource policy here");
			return PDP_IMPLICIT_DENY;
		}
		if (same) {
			WHY("root in its account");
			return PDP_ALLOW;
		}
		WHY("root cross-account");
		return (rbp & (DIRECT | WILDCARD | ACCOUNT)) ? PDP_ALLOW :
		    PDP_IMPLICIT_DENY;
	}
	// 5. Anonymous callers and services.
	if (p->kind == ORACLE_ANONYMOUS) {
		WHY("anonymous");
		return (rbp & WILDCARD) ? PDP_ALLOW : PDP_IMPLICIT_DENY;
	}
	if (p->kind == ORACLE_SERVICE) {
		WHY("service");
		return (rbp & (DIRECT | WILDCARD)) ? PDP_ALLOW :
		    PDP_IMPLICIT_DENY;
	}

	bool id_allow = set_applies(&c, &w->identity, "Allow", false) != 0;
	bool pb_ok = !w->has_boundary ||
	    set_applies(&c, &w->boundary, "Allow", false) != 0;
	bool sp_ok;
	if (p->kind == ORACLE_USER)
		sp_ok = true;
	else if (w->has_session)
		sp_ok = set_applies(&c, &w->session, "Allow", false) != 0;
	else
		sp_ok = p->kind == ORACLE_ROLE_SESSION;
	bool id_path = id_allow && pb_ok && sp_ok;

	if (same) {
		// 6a. Same account.
		if (explicit_grant) {
			WHY("same account, resource grant needed");
			if (rbp & (DIRECT | WILDCARD))
				return (trust && !pb_ok) ? PDP_IMPLICIT_DENY :
				    PDP_ALLOW;
			if (rbp & (ROLE | PARENT))
				return (pb_ok && sp_ok) ? PDP_ALLOW :
				    PDP_IMPLICIT_DENY;
			if (rbp & ACCOUNT)
				return id_path ? PDP_ALLOW :
				    PDP_IMPLICIT_DENY;
			return PDP_IMPLICIT_DENY;
		}
		WHY("same account");
		if (rbp & (DIRECT | WILDCARD))
			return PDP_ALLOW;
		if ((rbp & (ROLE | PARENT)) && pb_ok && sp_ok)
			return PDP_ALLOW;
		return id_path ? PDP_ALLOW : PDP_IMPLICIT_DENY;
	}
	// 6b. Cross account: both sides must allow.
	WHY("cross account");
	return (id_path && (rbp & (DIRECT | WILDCARD | ROLE | PARENT |
	    ACCOUNT))) ? PDP_ALLOW : PDP_IMPLICIT_DENY;
}
