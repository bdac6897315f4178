// load.c - `pdpbench load`: drive a pdpd server over nng with C requests
// in flight, for a bounded count or time, and report throughput and
// latency percentiles; optionally run the same client against the bare
// echo server (echo.c) and print the ratio between the two.
//
// One REQ socket with C contexts (many contexts on one socket beat many
// sockets); each context is an aio state machine that sends the next
// message of a pool encoded before the run (load_pool.c: one request, or
// those of a --requests file in turn), waits for the reply, checks its
// status, counts its decisions and sends the next. Callbacks run on
// nng's shared task threads, so they only record and resubmit.

#define _GNU_SOURCE // sched_setaffinity, CPU_SET

#include <errno.h>
#include <sched.h>
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>
#include <nng/supplemental/util/platform.h>

#include "load_pool.h"
#include "pdpbench.h"
#include "pdpd_hist.h"
#include "wire.h"

typedef struct load_opts {
	const char *url;
	int inflight;
	uint64_t count;     // 0: use duration
	double duration;    // seconds
	uint32_t batch;     // 0: single authorize
	bool explain;
	const char *principal, *action, *resource;
	bool one_given;       // --principal, --action or --resource
	const char *requests; // NULL, or a JSON-lines file of requests
	bool compare_echo;
	bool target_echo; // --url is an echo server: do not decode
	const char *echo_url;
	int echo_workers;
	const char *echo_cpus; // NULL: the echo server runs anywhere
	int timeout_ms;
} load_opts;

typedef struct run run;

typedef struct lctx {
	run *r;
	nng_ctx ctx;
	nng_aio *aio;
	bool receiving;
	uint64_t t0;
	size_t sent;         // the pool's message in flight
	uint64_t decided[3]; // decisions answered, by pdpw_decision
	char why[256];       // the first refusal this context met
	pdpw_decoder dec;
} lctx;

struct run {
	const load_opts *o;
	bool echo; // the server echoes: do not decode replies
	const load_pool *pool;
	atomic_size_t next; // the pool's next message
	atomic_int_fast64_t remaining; // count mode
	uint64_t deadline;             // time mode
	atomic_uint_fast64_t done, errors, sent;
	atomic_uint_fast64_t decisions; // requests of the replies done
	atomic_int active;
	pdpd_hist hist;
	lctx *c;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

// send_next sends the next request, or retires the context when the run
// is over. Resubmitting is the callback's last act.
static void
send_next(lctx *c)
{
	run *r = c->r;
	nng_msg *m;

	if (r->o->count > 0) {
		if (atomic_fetch_sub(&r->remaining, 1) <= 0) {
			atomic_fetch_sub(&r->active, 1);
			return;
		}
	} else if (now_ns() >= r->deadline) {
		atomic_fetch_sub(&r->active, 1);
		return;
	}
	size_t k = atomic_fetch_add_explicit(&r->next, 1,
	    memory_order_relaxed) % r->pool->n;
	if (nng_msg_alloc(&m, 0) != 0 ||
	    nng_msg_append(m, r->pool->msg[k], r->pool->len[k]) != 0) {
		atomic_fetch_add(&r->errors, 1);
		atomic_fetch_sub(&r->active, 1);
		return;
	}
	c->receiving = false;
	c->sent = k;
	c->t0 = now_ns();
	atomic_fetch_add_explicit(&r->sent, 1, memory_order_relaxed);
	nng_aio_set_msg(c->aio, m);
	nng_ctx_send(c->ctx, c->aio);
}

// refused keeps the first reason this context met for a failed reply,
// naming the request (and its line, from a file), and returns false.
static bool
refused(lctx *c, uint32_t item, int status, const char *why)
{
	const load_pool *p = c->r->pool;
	size_t q = load_pool_request(p, c->sent, item);

	if (c->why[0] != '\0')
		return false;
	if (p->line != NULL)
		snprintf(c->why, sizeof(c->why), "request %zu (line %zu): "
		    "status %d: %s", q + 1, p->line[q], status,
		    why ? why : "no reason given");
	else
		snprintf(c->why, sizeof(c->why), "status %d: %s", status,
		    why ? why : "no reason given");
	return false;
}

// reply_ok says whether a reply decided everything it was asked, and
// counts its decisions.
static bool
reply_ok(lctx *c, nng_msg *m)
{
	const load_pool *p = c->r->pool;
	uint32_t want = p->items[c->sent];
	pdpw_reply rep;
	const char *why;

	if (c->r->echo)
		return nng_msg_len(m) == p->len[c->sent];
	if (pdpw_decode_reply(&c->dec, nng_msg_body(m), nng_msg_len(m), &rep,
	    &why) != PDPW_OK)
		return refused(c, 0, PDPW_EINTERNAL, why);
	if (rep.status != PDPW_OK)
		return refused(c, 0, rep.status, rep.error);
	if (p->batch == 0) {
		if ((unsigned) rep.result.decision > PDPW_EXPLICIT_DENY)
			return refused(c, 0, rep.status, "no such decision");
		c->decided[rep.result.decision]++;
		return true;
	}
	if (rep.nresults != want)
		return refused(c, 0, rep.status, "not one result a request");
	for (uint32_t i = 0; i < rep.nresults; i++) {
		const pdpw_result *res = &rep.results[i];
		if (res->status != PDPW_OK)
			return refused(c, i, res->status, res->reason);
		if ((unsigned) res->decision > PDPW_EXPLICIT_DENY)
			return refused(c, i, res->status, "no such decision");
	}
	for (uint32_t i = 0; i < rep.nresults; i++)
		c->decided[rep.results[i].decision]++;
	return true;
}

static void
lctx_cb(void *arg)
{
	lctx *c = arg;
	run *r = c->r;
	int rv = nng_aio_result(c->aio);

	if (!c->receiving) {
		if (rv != 0) {
			nng_msg_free(nng_aio_get_msg(c->aio));
			atomic_fetch_add(&r->errors, 1);
			send_next(c);
			return;
		}
		c->receiving = true;
		nng_ctx_recv(c->ctx, c->aio);
		return;
	}
	if (rv != 0) {
		atomic_fetch_add(&r->errors, 1);
		send_next(c);
		return;
	}
	nng_msg *m = nng_aio_get_msg(c->aio);
	uint64_t lat = now_ns() - c->t0;
	if (reply_ok(c, m)) {
		pdpd_hist_record(&r->hist, lat);
		atomic_fetch_add_explicit(&r->done, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&r->decisions,
		    r->pool->items[c->sent], memory_order_relaxed);
	} else {
		atomic_fetch_add(&r->errors, 1);
	}
	nng_msg_free(m);
	send_next(c);
}

typedef struct result {
	uint64_t done, errors;
	uint64_t decisions;  // requests in the replies done
	uint64_t decided[3]; // by pdpw_decision; none counted for echo
	char why[256];       // a reason a reply failed, or ""

	double secs;
	uint64_t p50, p99, p999;
} result;

static int
run_load(const load_opts *o, const char *url, bool echo,
    const load_pool *pool, const char *label, result *res)
{
	nng_socket sock = NNG_SOCKET_INITIALIZER;
	run *r = calloc(1, sizeof(*r));
	pdpd_hist_snap *snap = calloc(1, sizeof(*snap));
	pdpw_limits lim;
	int rv, ndec = 0; // contexts whose decoder is set up

	if (r == NULL || snap == NULL)
		goto fail;
	pdpw_limits_default(&lim);
	lim.max_msg = 64u << 20;
	lim.max_batch = pool->batch ? pool->batch : 1;
	r->o = o;
	r->echo = echo;
	r->pool = pool;
	r->c = calloc((size_t) o->inflight, sizeof(*r->c));
	if (r->c == NULL || (rv = nng_req0_open(&sock)) != 0) {
		fprintf(stderr, "pdpbench load: %s\n",
		    r->c ? nng_strerror(rv) : "out of memory");
		goto fail;
	}
	nng_socket_set_size(sock, NNG_OPT_RECVMAXSZ, 64u << 20);
	nng_socket_set_ms(sock, NNG_OPT_REQ_RESENDTIME, NNG_DURATION_INFINITE);
	// Contexts copy the socket's timeouts when opened.
	nng_socket_set_ms(sock, NNG_OPT_RECVTIMEO, o->timeout_ms);
	nng_socket_set_ms(sock, NNG_OPT_SENDTIMEO, o->timeout_ms);
	// A server just started (the echo child, or pdpd on a loaded
	// machine) may not listen yet: retry a refused dial for 5 s.
	for (int tries = 0; (rv = nng_dial(sock, url, NULL, 0)) ==
	    NNG_ECONNREFUSED && tries < 250; tries++)
		nng_msleep(20);
	if (rv != 0) {
		fprintf(stderr, "pdpbench load: %s: %s\n", url,
		    nng_strerror(rv));
		goto fail;
	}
	for (int i = 0; i < o->inflight; i++) {
		lctx *c = &r->c[i];
		c->r = r;
		if (pdpw_decoder_init(&c->dec, &lim, 64u << 10) != PDPW_OK) {
			fprintf(stderr, "pdpbench load: out of memory\n");
			goto fail;
		}
		ndec++;
		if (nng_aio_alloc(&c->aio, lctx_cb, c) != 0 ||
		    nng_ctx_open(&c->ctx, sock) != 0) {
			fprintf(stderr, "pdpbench load: out of memory\n");
			goto fail;
		}
	}
	atomic_store(&r->remaining, (int_fast64_t) o->count);
	atomic_store(&r->active, o->inflight);
	uint64_t t0 = now_ns(), last = t0, last_done = 0;
	r->deadline = t0 + (uint64_t) (o->duration * 1e9);
	for (int i = 0; i < o->inflight; i++)
		send_next(&r->c[i]);
	while (atomic_load(&r->active) > 0) {
		nng_msleep(20);
		uint64_t t = now_ns();
		if (t - last >= 1000000000u) {
			uint64_t d = atomic_load(&r->done);
			fprintf(stderr, "  %s: %.0fs %" PRIu64 " requests, "
			    "%.0f req/s, %" PRIu64 " errors\n", label,
			    (double) (t - t0) / 1e9, d,
			    (double) (d - last_done) * 1e9 /
			    (double) (t - last), atomic_load(&r->errors));
			last = t;
			last_done = d;
		}
	}
	res->secs = (double) (now_ns() - t0) / 1e9;
	for (int i = 0; i < o->inflight; i++)
		nng_aio_stop(r->c[i].aio);
	for (int i = 0; i < o->inflight; i++)
		nng_ctx_close(r->c[i].ctx);
	nng_close(sock);
	for (int i = 0; i < o->inflight; i++) {
		nng_aio_free(r->c[i].aio);
		pdpw_decoder_fini(&r->c[i].dec);
	}
	pdpd_hist_add(snap, &r->hist);
	memset(res->decided, 0, sizeof(res->decided));
	res->why[0] = '\0';
	for (int i = 0; i < o->inflight; i++) {
		for (int k = 0; k < 3; k++)
			res->decided[k] += r->c[i].decided[k];
		if (res->why[0] == '\0')
			memcpy(res->why, r->c[i].why, sizeof(res->why));
	}
	res->decisions = atomic_load(&r->decisions);
	res->done = atomic_load(&r->done);
	res->errors = atomic_load(&r->errors);
	res->p50 = pdpd_hist_quantile(snap, 0.50);
	res->p99 = pdpd_hist_quantile(snap, 0.99);
	res->p999 = pdpd_hist_quantile(snap, 0.999);
	free(r->c);
	free(r);
	free(snap);
	return 0;
fail:
	// Closing the socket closes the contexts opened on it.
	if (nng_socket_id(sock) > 0)
		nng_close(sock);
	for (int i = 0; i < ndec; i++) {
		nng_aio_free(r->c[i].aio); // NULL when not allocated
		pdpw_decoder_fini(&r->c[i].dec);
	}
	if (r != NULL)
		free(r->c);
	free(r);
	free(snap);
	return -1;
}

static void
print_result(const char *label, const result *r, bool batch)
{
	printf("%-6s %10.0f req/s", label, (double) r->done / r->secs);
	if (batch)
		printf("  %12.0f decisions/s", (double) r->decisions /
		    r->secs);
	printf("  p50 %7.1f us  p99 %7.1f us  p999 %7.1f us  "
	    "%" PRIu64 " requests in %.2f s, %" PRIu64 " errors\n",
	    (double) r->p50 / 1e3, (double) r->p99 / 1e3,
	    (double) r->p999 / 1e3, r->done, r->secs, r->errors);
	uint64_t n = r->decided[0] + r->decided[1] + r->decided[2];
	if (n > 0)
		printf("mix    allow %.1f%%  implicit deny %.1f%%  explicit "
		    "deny %.1f%%  of %" PRIu64 " decisions\n",
		    100.0 * (double) r->decided[PDPW_ALLOW] / (double) n,
		    100.0 * (double) r->decided[PDPW_IMPLICIT_DENY] /
		    (double) n, 100.0 *
		    (double) r->decided[PDPW_EXPLICIT_DENY] / (double) n, n);
	if (r->why[0] != '\0')
		printf("first error: %s\n", r->why);
}

static void
load_usage(FILE *f)
{
	fprintf(f,
	    "usage: pdpbench load --url URL [options]\n"
	    "  --url URL            the pdpd to drive (ipc:// or "
	    "tcp://127.0.0.1:PORT)\n"
	    "  --inflight C         requests in flight, 1 to 256 "
	    "(default 64)\n"
	    "  --count N            stop after N requests\n"
	    "  --duration SEC       or after SEC seconds (default 5)\n"
	    "  --batch B            authorize_batch of B requests "
	    "(reports decisions/s)\n"
	    "  --explain            ask for explanations\n"
	    "  --principal ARN --action ACTION --resource ARN\n"
	    "                       the request (default: the example "
	    "bundle's auditor\n"
	    "                       reading a prod report)\n"
	    "  --requests FILE      or the requests of a JSON-lines file, "
	    "sent in turn\n"
	    "                       (each line an eval-format line without "
	    "policies, or\n"
	    "                       its \"request\" object alone; "
	    "`pdpbench micro --save`\n"
	    "                       writes one beside its bundle)\n"
	    "  --compare-echo       also run against `pdpbench echo` on "
	    "--echo-url\n"
	    "                       (default ipc:///tmp/pdpbench-echo-PID) "
	    "and print\n"
	    "                       the ratios (exit 1 if either run "
	    "has an error)\n"
	    "  --echo-workers N     the echo server's contexts (default: "
	    "cores)\n"
	    "  --echo-cpu LIST      pin the echo server to these CPUs "
	    "(\"0\", \"0,2\", \"0-1\"),\n"
	    "                       as pdpd is pinned with taskset; pin "
	    "pdpbench itself\n"
	    "                       with taskset too (bench/load.sh)\n"
	    "  --echo               --url is a `pdpbench echo` server "
	    "(replies not decoded)\n"
	    "  --timeout MS         per request (default 5000)\n");
}

// parse_cpus reads a CPU list ("0", "0,2", "0-1") into *set; false if
// it is not one.
static bool
parse_cpus(const char *s, cpu_set_t *set)
{
	CPU_ZERO(set);
	while (*s != '\0') {
		char *end;
		long a = strtol(s, &end, 10), b = a;
		if (end == s || a < 0 || a >= CPU_SETSIZE)
			return false;
		if (*end == '-') {
			s = end + 1;
			b = strtol(s, &end, 10);
			if (end == s || b < a || b >= CPU_SETSIZE)
				return false;
		}
		for (long c = a; c <= b; c++)
			CPU_SET((int) c, set);
		if (*end == ',')
			end++;
		else if (*end != '\0')
			return false;
		s = end;
	}
	return CPU_COUNT(set) > 0;
}

// spawn_echo starts `pdpbench echo` as a child process, so that it
// competes for the cores as pdpd does; pinned to `cpus` if not NULL (the
// child would otherwise inherit the client's own pinning).
static pid_t
spawn_echo(const char *url, int workers, const cpu_set_t *cpus)
{
	char w[16];
	pid_t pid;

	snprintf(w, sizeof(w), "%d", workers);
	pid = fork();
	if (pid == 0) {
		if (cpus != NULL &&
		    sched_setaffinity(0, sizeof(*cpus), cpus) != 0)
			_exit(126);
		execl("/proc/self/exe", "pdpbench", "echo", "--listen", url,
		    "--workers", w, (char *) NULL);
		_exit(127);
	}
	return pid; // run_load's dial waits for it to listen
}

int
pdpbench_load(int argc, char **argv)
{
	load_opts o = {NULL, 64, 0, 5.0, 0, false,
	    PDPBENCH_PRINCIPAL, PDPBENCH_ACTION, PDPBENCH_RESOURCE, false,
	    NULL, false, false, NULL,
	    (int) sysconf(_SC_NPROCESSORS_ONLN), NULL, 5000};
	cpu_set_t echo_cpus;
	char echo_url[128];
	load_pool pool;
	result pr, er;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--help") == 0) {
			load_usage(stdout);
			return 0;
		} else if (strcmp(a, "--explain") == 0) {
			o.explain = true;
			continue;
		} else if (strcmp(a, "--compare-echo") == 0) {
			o.compare_echo = true;
			continue;
		} else if (strcmp(a, "--echo") == 0) {
			o.target_echo = true;
			continue;
		}
		if (val == NULL) {
			load_usage(stderr);
			return 2;
		}
		i++;
		if (strcmp(a, "--url") == 0)
			o.url = val;
		else if (strcmp(a, "--inflight") == 0)
			o.inflight = atoi(val);
		else if (strcmp(a, "--count") == 0)
			o.count = strtoull(val, NULL, 10);
		else if (strcmp(a, "--duration") == 0)
			o.duration = atof(val);
		else if (strcmp(a, "--batch") == 0)
			o.batch = (uint32_t) atoi(val);
		else if (strcmp(a, "--principal") == 0)
			o.principal = val, o.one_given = true;
		else if (strcmp(a, "--action") == 0)
			o.action = val, o.one_given = true;
		else if (strcmp(a, "--resource") == 0)
			o.resource = val, o.one_given = true;
		else if (strcmp(a, "--requests") == 0)
			o.requests = val;
		else if (strcmp(a, "--echo-url") == 0)
			o.echo_url = val;
		else if (strcmp(a, "--echo-workers") == 0)
			o.echo_workers = atoi(val);
		else if (strcmp(a, "--echo-cpu") == 0)
			o.echo_cpus = val;
		else if (strcmp(a, "--timeout") == 0)
			o.timeout_ms = atoi(val);
		else {
			load_usage(stderr);
			return 2;
		}
	}
	if (o.url == NULL || o.inflight < 1 || o.inflight > 256 ||
	    o.batch > 100000 || o.timeout_ms < 1 ||
	    (o.requests != NULL && o.one_given) ||
	    (o.count == 0 && !(o.duration > 0 && o.duration <= 3600))) {
		load_usage(stderr);
		return 2;
	}
	if (o.echo_cpus != NULL && !parse_cpus(o.echo_cpus, &echo_cpus)) {
		fprintf(stderr, "pdpbench load: --echo-cpu %s: not a CPU "
		    "list (\"0\", \"0,2\", \"0-1\")\n", o.echo_cpus);
		return 2;
	}
	if (o.requests != NULL) {
		if ((rc = load_pool_file(&pool, o.requests, o.batch,
		    o.explain)) != 0)
			return rc;
	} else {
		pdpw_authz one = {.principal = o.principal,
		    .action = o.action, .resource = o.resource};
		if (load_pool_one(&pool, &one, o.batch, o.explain) != 0) {
			fprintf(stderr, "pdpbench load: out of memory\n");
			return 1;
		}
	}
	size_t bytes = 0;
	for (size_t i = 0; i < pool.n; i++)
		bytes += pool.len[i];
	printf("pdpbench load: %s, %d in flight, %s", o.url, o.inflight,
	    o.batch ? "authorize_batch" : o.explain ? "explain" :
	    "authorize");
	if (o.batch)
		printf(" of %u", o.batch);
	if (o.requests != NULL)
		printf(", %zu requests of %s in %zu messages of %zu bytes "
		    "on average", pool.nreq, o.requests, pool.n,
		    bytes / pool.n);
	else
		printf(", request %zu bytes", bytes);
	if (o.count)
		printf(", %" PRIu64 " requests\n", o.count);
	else
		printf(", %.1f s\n", o.duration);
	fflush(stdout);

	if (run_load(&o, o.url, o.target_echo, &pool,
	    o.target_echo ? "echo" : "pdpd", &pr) != 0) {
		rc = 1;
		goto out;
	}
	print_result(o.target_echo ? "echo" : "pdpd", &pr, o.batch > 0);
	if (pr.errors > 0)
		rc = 1;
	if (o.compare_echo) {
		if (o.echo_url == NULL) {
			snprintf(echo_url, sizeof(echo_url),
			    "ipc:///tmp/pdpbench-echo-%ld", (long) getpid());
			o.echo_url = echo_url;
		}
		pid_t pid = spawn_echo(o.echo_url, o.echo_workers,
		    o.echo_cpus ? &echo_cpus : NULL);
		int st;
		if (pid < 0 || run_load(&o, o.echo_url, true, &pool,
		    "echo", &er) != 0) {
			rc = 1;
		} else {
			print_result("echo", &er, o.batch > 0);
			// An echo run with errors is no baseline to compare
			// with.
			if (er.errors > 0)
				rc = 1;
			printf("ratio  throughput pdpd/echo %.1f%%  "
			    "p99 pdpd/echo %.2fx\n",
			    100.0 * ((double) pr.done / pr.secs) /
			    ((double) er.done / er.secs),
			    er.p99 ? (double) pr.p99 / (double) er.p99 : 0);
		}
		if (pid > 0) {
			kill(pid, SIGTERM);
			waitpid(pid, &st, 0);
		}
	}
out:
	load_pool_fini(&pool);
	return rc;
}
