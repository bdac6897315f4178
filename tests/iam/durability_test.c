// durability_test.c - crash safety (kill -9 during a stream of writes:
// every acknowledged change survives, nothing is half written) and
// concurrent decisions during writes (none fails).

#include "helpers.h"
#include "check_main.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>

static const char *
nm_c(int i)
{
	static char buf[32];

	snprintf(buf, sizeof(buf), "c%d", i);
	return buf;
}

START_TEST(test_kill9_keeps_every_acknowledged_change)
{
	char path[64];
	iams_service *s = open_service(path, 0);
	int fds[2];

	iams_service_close(s);
	ck_assert_int_eq(pipe(fds), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		iams_options opt = {.store_key = test_key};
		char err[256];
		close(fds[0]);
		if (iams_service_open(path, &opt, &s, err, sizeof(err)))
			_exit(3);
		for (int i = 0;; i++) {
			char name[32];
			json_t *r = NULL;
			snprintf(name, sizeof(name), "c%d", i);
			json_t *p = json_pack("{s:s, s:[{s:s, s:s}]}",
			    "UserName", name, "Tags", "Key", "n", "Value",
			    name);
			if (iams_call(s, ROOT, "CreateUser", p, &r, NULL))
				_exit(4);
			json_decref(p);
			json_decref(r);
			// Acknowledged only once iams_call returned.
			if (write(fds[1], &i, sizeof(i)) != sizeof(i))
				_exit(5);
		}
	}
	close(fds[1]);
	int acked = -1, v;
	while (acked < 40 && read(fds[0], &v, sizeof(v)) == sizeof(v))
		acked = v;
	kill(pid, SIGKILL);
	while (read(fds[0], &v, sizeof(v)) == sizeof(v))
		acked = v;
	close(fds[0]);
	int status;
	waitpid(pid, &status, 0);
	ck_assert(WIFSIGNALED(status));

	iams_options opt = {.store_key = test_key};
	char err[256];
	ck_assert_int_eq(iams_service_open(path, &opt, &s, err, sizeof(err)),
	    PDP_OK);
	for (int i = 0; i <= acked; i++) {
		char code[48];
		json_t *r = call_j(s, ROOT, "GetUser", json_pack("{s:s}",
		    "UserName", nm_c(i)), code);
		ck_assert_msg(r != NULL, "acknowledged user c%d lost", i);
		// Each user was written with its tag in one transaction.
		ck_assert_int_eq(json_array_size(json_object_get(
		    json_object_get(r, "User"), "Tags")), 1);
		json_decref(r);
	}
	json_t *r = call_as(s, ROOT, "ListUsers", "{\"MaxItems\":1000}",
	    NULL);
	size_t n = json_array_size(json_object_get(r, "Users"));
	// At most one write committed without its acknowledgement.
	ck_assert(n == (size_t) acked + 1 || n == (size_t) acked + 2);
	json_decref(r);
	iams_stats st;
	iams_service_stats(s, &st);
	ck_assert_int_eq(st.rebuild_failures, 0);
	close_service(s, path);
}
END_TEST

static atomic_bool stop;
static atomic_ullong bad, total;

static void *
decider(void *arg)
{
	iams_service *s = arg;
	pdp_request req;
	pdp_decision d;

	memset(&req, 0, sizeof(req));
	req.principal = ROOT;
	req.action = "s3:GetObject";
	req.resource = "arn:aws:s3:::b/k";
	while (!atomic_load(&stop)) {
		pdp_authorize(iams_service_engine(s), &req, &d, NULL);
		if (d.err != PDP_OK || d.effect != PDP_ALLOW)
			atomic_fetch_add(&bad, 1);
		atomic_fetch_add(&total, 1);
	}
	return NULL;
}

typedef struct writer_arg {
	iams_service *s;
	int id;
} writer_arg;

static void *
writer(void *arg)
{
	writer_arg *w = arg;

	for (int i = 0; i < 60; i++) {
		char name[32];
		json_t *r = NULL;
		snprintf(name, sizeof(name), "w%d_%d", w->id, i);
		json_t *p = json_pack("{s:s}", "UserName", name);
		if (iams_call(w->s, ROOT, "CreateUser", p, &r, NULL) != PDP_OK)
			atomic_fetch_add(&bad, 1000000);
		json_decref(p);
		json_decref(r);
	}
	return NULL;
}

START_TEST(test_concurrent_writers_and_readers_never_fail)
{
	char path[64];
	iams_service *s = open_service(path, 0);
	pthread_t r[3], w[2];
	writer_arg wa[2];

	for (int i = 0; i < 3; i++)
		pthread_create(&r[i], NULL, decider, s);
	for (int i = 0; i < 2; i++) {
		wa[i].s = s;
		wa[i].id = i;
		pthread_create(&w[i], NULL, writer, &wa[i]);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(w[i], NULL);
	atomic_store(&stop, true);
	for (int i = 0; i < 3; i++)
		pthread_join(r[i], NULL);
	ck_assert_uint_eq(atomic_load(&bad), 0);
	ck_assert_uint_gt(atomic_load(&total), 0);
	json_t *l = call_as(s, ROOT, "ListUsers", "{\"MaxItems\":1000}",
	    NULL);
	ck_assert_int_eq(json_array_size(json_object_get(l, "Users")), 120);
	json_decref(l);
	// A second process-like handle on the same file writes too.
	iams_options opt = {.store_key = test_key};
	iams_service *s2;
	char err[256];
	ck_assert_int_eq(iams_service_open(path, &opt, &s2, err, sizeof(err)),
	    PDP_OK);
	OK(s2, "CreateUser", "{\"UserName\":\"other\"}");
	iams_service_close(s2);
	close_service(s, path);
}
END_TEST

static Suite *
suite(void)
{
	Suite *su = suite_create("iam_durability");
	TCase *tc = tcase_create("durability");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_kill9_keeps_every_acknowledged_change);
	tcase_add_test(tc, test_concurrent_writers_and_readers_never_fail);
	suite_add_tcase(su, tc);
	return su;
}

int
main(void)
{
	return pdp_run_suite(suite());
}
