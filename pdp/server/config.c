// config.c - pdpd's configuration: defaults, then the config file, then
// the command-line flags, which override the file. The file holds
// `key = value` lines whose keys are the long flags without "--".

#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pdpd.h"

#define LINE_MAX_ 4096

void
pdpd_config_init(pdpd_config *c)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	memset(c, 0, sizeof(*c));
	pdpw_limits_default(&c->lim);
	c->workers = n > 0 ? (uint32_t) n : 1;
	c->zone_chunk = PDPW_DEFAULT_ZONE_CHUNK;
	c->log_level = PDPD_LOG_INFO;
	c->dlog_sample = 1.0;
	c->dlog_queue = 1024;
	c->drain_ms = 5000;
	c->remote_reload = true;
}

static void
clear_listen(pdpd_config *c)
{
	for (uint32_t i = 0; i < c->nlisten; i++)
		free(c->listen[i]);
	c->nlisten = 0;
}

void
pdpd_config_fini(pdpd_config *c)
{
	clear_listen(c);
	free(c->bundle);
	free(c->store);
	free(c->plugins);
	free(c->dlog_path);
	c->bundle = c->store = c->dlog_path = c->plugins = NULL;
}

void
pdpd_usage(FILE *f)
{
	fprintf(f,
	    "usage: pdpd --bundle FILE.pdpb --listen URL [--listen URL ...] "
	    "[options]\n"
	    "       pdpd --store PATH --listen URL [--listen URL ...] "
	    "[options]\n"
	    "\n"
	    "pdpd answers authorization requests over nng (REQ/REP, msgpack;\n"
	    "proto/README.md) on ipc:// and tcp:// URLs. SIGHUP reloads the\n"
	    "bundle (a bad one is refused, the old one keeps serving);\n"
	    "SIGTERM or SIGINT answers the requests in flight and exits 0.\n"
	    "\n"
	    "With --store, pdpd serves an IAM store (made by `iam init`,\n"
	    "pdp/iam/README.md) instead of a bundle file: it also answers\n"
	    "IAM API calls (op iam), signed with an access key of the store,\n"
	    "and decides with the bundle of the store's current state, live\n"
	    "from the moment a change commits. There is nothing to reload:\n"
	    "the reload op answers EDENIED and SIGHUP is ignored.\n"
	    "\n"
	    "Options (each may also be a line `key = value` of the config\n"
	    "file, the key being the option without \"--\"; flags override\n"
	    "the file, and --listen flags replace the file's listen lines):\n"
	    "  --config FILE             read options from FILE first\n"
	    "  --bundle FILE             the bundle to serve\n"
	    "  --store PATH              or: the IAM store to serve, with its\n"
	    "                            store key in PATH.key (give one of\n"
	    "                            --bundle and --store)\n"
	    "  --listen URL              ipc:///path or tcp://127.0.0.1:port;"
	    "\n"
	    "                            repeat for more (at most %d)\n"
	    "  --workers N               nng contexts (default: cores, %u)\n"
	    "  --max-message BYTES       largest request (default %u); up to\n"
	    "                            twice that gets ETOOBIG, larger ones\n"
	    "                            close the connection\n"
	    "  --max-batch N             requests per authorize_batch "
	    "(default %u)\n"
	    "  --max-depth N             nesting of maps and arrays "
	    "(default %u, max 32)\n"
	    "  --max-string BYTES        longest string (default %u)\n"
	    "  --max-context N           context keys per request "
	    "(default %u, max %d)\n"
	    "  --max-values N            values per context key (default %u)"
	    "\n"
	    "  --zone-chunk BYTES        per-worker decode memory kept between"
	    "\n"
	    "                            requests (default %u)\n"
	    "  --log-level LEVEL         debug, info, warn or error "
	    "(default info)\n"
	    "  --decision-log FILE       write one JSON line per decision "
	    "(\"-\": stderr)\n"
	    "  --decision-log-sample R   fraction of decisions logged, 0..1 "
	    "(default 1)\n"
	    "  --decision-log-queue N    queued records per worker before\n"
	    "                            decisions are dropped (counted) "
	    "(default 1024)\n"
	    "  --drain-timeout MS        SIGTERM waits this long for requests"
	    "\n"
	    "                            in flight (default 5000)\n"
	    "  --remote-reload BOOL      honour the wire `reload` op "
	    "(default true)\n"
	    "  --plugins DIR             Lua plugins (plugins/README.md);\n"
	    "                            they reload with the bundle, and a\n"
	    "                            plugin that fails to load refuses\n"
	    "                            the reload\n"
	    "  --help                    this text\n"
	    "  --version                 print the version\n"
	    "\n"
	    "The log goes to stderr as JSON lines: ts, level, event, fields.\n",
	    PDPD_LISTEN_MAX, (unsigned) sysconf(_SC_NPROCESSORS_ONLN),
	    PDPW_DEFAULT_MAX_MSG, PDPW_DEFAULT_MAX_BATCH,
	    PDPW_DEFAULT_MAX_DEPTH, PDPW_DEFAULT_MAX_STR,
	    PDPW_DEFAULT_MAX_CONTEXT, PDP_CONTEXT_MAX,
	    PDPW_DEFAULT_MAX_VALUES, PDPW_DEFAULT_ZONE_CHUNK);
}

static int
fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static bool
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char) s[0]))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool
parse_bool(const char *s, bool *out)
{
	if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0 ||
	    strcmp(s, "1") == 0 || strcmp(s, "on") == 0)
		*out = true;
	else if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0 ||
	    strcmp(s, "0") == 0 || strcmp(s, "off") == 0)
		*out = false;
	else
		return false;
	return true;
}

static int
set_str(char **dst, const char *v, char *err, size_t errlen)
{
	char *c = strdup(v);

	if (c == NULL)
		return fail(err, errlen, "out of memory");
	free(*dst);
	*dst = c;
	return 0;
}

// apply sets option `key` (the long flag without "--"; '_' reads as '-')
// to `val`. `where` names the file line or "flag" for messages.
static int
apply(pdpd_config *c, const char *key, const char *val, const char *where,
    char *err, size_t errlen)
{
	char k[64];
	uint64_t u;

	if (strlen(key) >= sizeof(k))
		return fail(err, errlen, "%s: unknown option %s", where, key);
	for (size_t i = 0;; i++) {
		k[i] = key[i] == '_' ? '-' : key[i];
		if (key[i] == '\0')
			break;
	}
#define NUM(name, lo, hi, field, type)                                    \
	if (strcmp(k, name) == 0) {                                       \
		if (!parse_u64(val, lo, hi, &u))                          \
			return fail(err, errlen, "%s: %s: expected an "   \
			    "integer from %llu to %llu", where, name,     \
			    (unsigned long long) (lo),                    \
			    (unsigned long long) (hi));                   \
		field = (type) u;                                         \
		return 0;                                                 \
	}
	NUM("workers", 1, 1024, c->workers, uint32_t)
	NUM("max-message", 64, 1u << 30, c->lim.max_msg, size_t)
	NUM("max-batch", 1, 100000, c->lim.max_batch, uint32_t)
	NUM("max-depth", 4, 32, c->lim.max_depth, uint32_t)
	NUM("max-string", 16, 1u << 24, c->lim.max_str, uint32_t)
	NUM("max-context", 0, PDP_CONTEXT_MAX, c->lim.max_context, uint32_t)
	NUM("max-values", 1, 1u << 16, c->lim.max_values, uint32_t)
	NUM("zone-chunk", 4096, 1u << 30, c->zone_chunk, size_t)
	NUM("decision-log-queue", 2, 1u << 20, c->dlog_queue, uint32_t)
	NUM("drain-timeout", 0, 3600000, c->drain_ms, uint32_t)
#undef NUM
	if (strcmp(k, "bundle") == 0)
		return set_str(&c->bundle, val, err, errlen);
	if (strcmp(k, "store") == 0)
		return set_str(&c->store, val, err, errlen);
	if (strcmp(k, "decision-log") == 0)
		return set_str(&c->dlog_path, val, err, errlen);
	if (strcmp(k, "plugins") == 0)
		return set_str(&c->plugins, val, err, errlen);
	if (strcmp(k, "listen") == 0) {
		if (c->nlisten == PDPD_LISTEN_MAX)
			return fail(err, errlen, "%s: more than %d listen "
			    "URLs", where, PDPD_LISTEN_MAX);
		c->listen[c->nlisten] = NULL;
		if (set_str(&c->listen[c->nlisten], val, err, errlen) != 0)
			return -1;
		c->nlisten++;
		return 0;
	}
	if (strcmp(k, "log-level") == 0) {
		static const char *const lv[] = {"debug", "info", "warn",
		    "error"};
		for (int i = 0; i < 4; i++)
			if (strcmp(val, lv[i]) == 0) {
				c->log_level = i;
				return 0;
			}
		return fail(err, errlen, "%s: log-level: expected debug, "
		    "info, warn or error", where);
	}
	if (strcmp(k, "decision-log-sample") == 0) {
		char *end;
		double d = strtod(val, &end);
		if (*val == '\0' || *end != '\0' || !(d >= 0.0 && d <= 1.0))
			return fail(err, errlen, "%s: decision-log-sample: "
			    "expected a number from 0 to 1", where);
		c->dlog_sample = d;
		return 0;
	}
	if (strcmp(k, "remote-reload") == 0) {
		if (!parse_bool(val, &c->remote_reload))
			return fail(err, errlen, "%s: remote-reload: expected "
			    "true or false", where);
		return 0;
	}
	return fail(err, errlen, "%s: unknown option %s", where, key);
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char) *s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char) e[-1]))
		*--e = '\0';
	return s;
}

// load_file reads `key = value` lines; '#' starts a comment line.
static int
load_file(pdpd_config *c, const char *path, char *err, size_t errlen)
{
	char line[LINE_MAX_], where[LINE_MAX_ + 32];
	FILE *f = fopen(path, "r");
	int lineno = 0, rv = 0;

	if (f == NULL)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	while (rv == 0 && fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		char *s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		snprintf(where, sizeof(where), "%s:%d", path, lineno);
		if (eq == NULL) {
			rv = fail(err, errlen, "%s: expected key = value",
			    where);
			break;
		}
		*eq = '\0';
		rv = apply(c, trim(s), trim(eq + 1), where, err, errlen);
	}
	fclose(f);
	return rv;
}

int
pdpd_config_load(pdpd_config *c, int argc, char **argv, char *err,
    size_t errlen)
{
	bool flag_listen = false;

	// The file first, wherever --config stands, so flags override it.
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			pdpd_usage(stdout);
			return 1;
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("pdpd (iampdp) wire protocol %u\n",
			    PDPW_VERSION);
			return 1;
		}
		if (strcmp(argv[i], "--config") == 0) {
			if (i + 1 == argc)
				return fail(err, errlen, "--config needs a "
				    "file");
			if (load_file(c, argv[i + 1], err, errlen) != 0)
				return -1;
		}
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		char *eq;
		char name[64];

		if (strncmp(a, "--", 2) != 0)
			return fail(err, errlen, "unexpected argument %s "
			    "(try --help)", a);
		a += 2;
		// --key=value and --key value both work.
		if ((eq = strchr(a, '=')) != NULL) {
			snprintf(name, sizeof(name), "%.*s", (int) (eq - a),
			    a);
			v = eq + 1;
		} else {
			snprintf(name, sizeof(name), "%s", a);
			if (i + 1 == argc)
				return fail(err, errlen, "--%s needs a value",
				    name);
			v = argv[++i];
		}
		if (strcmp(name, "config") == 0)
			continue;
		if (strcmp(name, "listen") == 0 && !flag_listen) {
			clear_listen(c);
			flag_listen = true;
		}
		if (apply(c, name, v, "flag", err, errlen) != 0)
			return -1;
	}
	if (c->bundle == NULL && c->store == NULL)
		return fail(err, errlen, "no bundle: give --bundle FILE "
		    "or --store PATH (try --help)");
	if (c->bundle != NULL && c->store != NULL)
		return fail(err, errlen, "give --bundle or --store, not both");
	// The store's bundle is compiled without plugin manifests, so its
	// policies cannot use plugin keys: the pair would deny in surprise.
	if (c->store != NULL && c->plugins != NULL)
		return fail(err, errlen, "--plugins works with --bundle only");
	if (c->nlisten == 0)
		return fail(err, errlen, "nothing to listen on: give "
		    "--listen URL (try --help)");
	if (c->lim.max_batch > c->lim.max_msg)
		c->lim.max_batch = (uint32_t) c->lim.max_msg;
	return 0;
}
