// harness.c - test bundles and pdpd processes for the server tests
// (harness.h).

#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "iamc.h"
#include "iamc_bundle.h"

static const char p_alice[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":["
    "{\"Sid\":\"ReadReports\",\"Effect\":\"Allow\","
    "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::reports/*\"},"
    "{\"Sid\":\"NoDelete\",\"Effect\":\"Deny\","
    "\"Action\":\"s3:DeleteObject\",\"Resource\":\"*\"},"
    "{\"Sid\":\"TaggedPut\",\"Effect\":\"Allow\","
    "\"Action\":\"s3:PutObject\",\"Resource\":\"*\","
    "\"Condition\":{\"StringEquals\":{\"aws:RequestTag/team\":\"red\"}}}"
    "]}";

static const char p_list[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":["
    "{\"Sid\":\"List\",\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\","
    "\"Resource\":\"*\"}]}";

static int
compile(iamc_builder *b, const char *text, const char *name,
    const pdpi_policy **out)
{
	iamc_diags d;
	int rv;

	iamc_diags_init(&d);
	rv = iamc_policy_compile_text(iamc_builder_arena(b), text,
	    strlen(text), PDP_POLICY_IDENTITY, name, out, &d);
	if (rv != PDP_OK)
		fprintf(stderr, "%s: %s %s\n", name, d.n ? d.v[0].path : "",
		    d.n ? d.v[0].message : "");
	iamc_diags_fini(&d);
	return rv;
}

int
th_bundle_bytes(int variant, uint64_t revision, void **data, size_t *len)
{
	iamc_builder *b = NULL;
	const pdpi_policy *v[2];
	uint32_t set;
	iamc_principal_spec p;
	int rv = -1;

	if (iamc_builder_open(&b) != PDP_OK)
		return -1;
	if (compile(b, p_alice, "AliceS3", &v[0]) != PDP_OK ||
	    compile(b, p_list, "ListAll", &v[1]) != PDP_OK ||
	    iamc_builder_set(b, v, variant ? 2 : 1, true, &set) != PDP_OK ||
	    iamc_builder_account(b, TH_ACCOUNT, NULL, 0, NULL, 0) != PDP_OK)
		goto out;
	memset(&p, 0, sizeof(p));
	p.kind = PDPB_USER;
	p.account = TH_ACCOUNT;
	p.name = "alice";
	p.identity = set;
	p.boundary = PDPB_NONE;
	if (iamc_builder_principal(b, &p) != PDP_OK)
		goto out;
	p.name = "bob";
	p.identity = PDPB_NONE;
	if (iamc_builder_principal(b, &p) != PDP_OK ||
	    iamc_builder_write(b, revision, data, len) != PDP_OK)
		goto out;
	rv = 0;
out:
	iamc_builder_close(b);
	return rv;
}

int
th_write_file(const char *path, const void *data, size_t len)
{
	char tmp[512];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "wb")) == NULL)
		return -1;
	if (fwrite(data, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	if (fclose(f) != 0)
		return -1;
	return rename(tmp, path);
}

int
th_bundle_write(const char *path, int variant, uint64_t revision)
{
	void *data;
	size_t len;
	int rv;

	if (th_bundle_bytes(variant, revision, &data, &len) != 0)
		return -1;
	rv = th_write_file(path, data, len);
	free(data);
	return rv;
}

void
th_setup(th_server *s, bool bundle)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "/tmp/pdpd-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(s->dir));
	snprintf(s->url, sizeof(s->url), "ipc://%s/pdpd.ipc", s->dir);
	snprintf(s->bundle, sizeof(s->bundle), "%s/bundle.pdpb", s->dir);
	snprintf(s->log, sizeof(s->log), "%s/pdpd.log", s->dir);
	if (bundle)
		ck_assert_int_eq(th_bundle_write(s->bundle, 0, 1), 0);
}

void
th_use_store(th_server *s)
{
	snprintf(s->store, sizeof(s->store), "%s/iam.db", s->dir);
}

pdpw_authz
th_authz(const char *principal, const char *action, const char *resource)
{
	pdpw_authz a;

	memset(&a, 0, sizeof(a));
	a.principal = principal;
	a.action = action;
	a.resource = resource;
	return a;
}

pdpc_client *
th_client(const th_server *s, int timeout_ms)
{
	pdpc_client *c = NULL;
	char err[256];

	ck_assert_msg(pdpc_open(s->url, timeout_ms, &c, err, sizeof(err)) ==
	    PDPW_OK, "pdpc_open: %s", err);
	return c;
}

char *
th_log(const th_server *s)
{
	FILE *f = fopen(s->log, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return strdup("");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t) n + 1);
	if (buf != NULL && fread(buf, 1, (size_t) n, f) != (size_t) n)
		buf[0] = '\0';
	fclose(f);
	return buf;
}

int
th_start(th_server *s, const char *const *args)
{
	const char *argv[64];
	int n = 0;

	argv[n++] = TH_PDPD;
	argv[n++] = s->store[0] ? "--store" : "--bundle";
	argv[n++] = s->store[0] ? s->store : s->bundle;
	argv[n++] = "--listen";
	argv[n++] = s->url;
	argv[n++] = "--workers";
	argv[n++] = "2";
	for (int i = 0; args != NULL && args[i] != NULL && n < 62; i++)
		argv[n++] = args[i];
	argv[n] = NULL;

	s->pid = fork();
	ck_assert_int_ge(s->pid, 0);
	if (s->pid == 0) {
		int fd = open(s->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0)
			dup2(fd, STDERR_FILENO);
		// Under the sanitizer build: leaks inside nng's own teardown
		// are nng's (lsan.supp); pdpd's are still reported.
		setenv("LSAN_OPTIONS", "suppressions=" PDP_SOURCE_DIR
		    "/tests/server/lsan.supp", 0);
		execv(TH_PDPD, (char *const *) argv);
		_exit(127);
	}
	// Up when it answers health; 5 s on a loaded machine is plenty.
	pdpc_client *c = th_client(s, 200);
	pdpw_reply r;
	for (int i = 0; i < 50; i++) {
		s->health_calls++;
		if (pdpc_health(c, &r) == PDPW_OK && r.status == PDPW_OK &&
		    r.health.serving) {
			pdpc_close(c);
			return 0;
		}
		int st;
		if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
			s->pid = 0;
			break;
		}
	}
	pdpc_close(c);
	char *log = th_log(s);
	fprintf(stderr, "pdpd did not come up; its log:\n%s\n", log);
	free(log);
	return -1;
}

int
th_stop(th_server *s, int sig)
{
	int st;

	if (s->pid <= 0)
		return -1;
	kill(s->pid, sig);
	// A drain takes up to the server's drain timeout (5 s); a loaded
	// machine may need more before the process is reaped. 20 s is a
	// bound on liveness, not a measurement.
	for (int i = 0; i < 2000; i++) {
		pid_t p = waitpid(s->pid, &st, WNOHANG);
		if (p == s->pid) {
			s->pid = 0;
			if (WIFSIGNALED(st) || WEXITSTATUS(st) != 0) {
				fprintf(stderr, "pdpd ended with %s %d; its "
				    "log:\n", WIFSIGNALED(st) ? "signal" :
				    "status", WIFSIGNALED(st) ? WTERMSIG(st) :
				    WEXITSTATUS(st));
				char *log = th_log(s);
				fprintf(stderr, "%s\n", log);
				free(log);
			}
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		}
		struct timespec ts = {0, 10000000};
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "pdpd still running 20 s after signal %d\n", sig);
	kill(s->pid, SIGKILL);
	waitpid(s->pid, &st, 0);
	s->pid = 0;
	return -1;
}

void
th_cleanup(th_server *s)
{
	char path[512];
	static const char *const files[] = {"pdpd.log", "bundle.pdpb",
	    "bundle.pdpb.tmp", "pdpd.ipc", "decisions.log", "pdpd.conf",
	    "other.pdpb", "iam.db", "iam.db.key", "iam.db-wal",
	    "iam.db-shm"};

	if (s->pid > 0)
		th_stop(s, SIGKILL);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", s->dir, files[i]);
		unlink(path);
	}
	rmdir(s->dir);
}
