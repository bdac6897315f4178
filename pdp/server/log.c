// log.c - pdpd's structured log: one JSON object per line on stderr, with
// time, level, event and fields; and the clocks the server reads.

#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pdpd.h"

static atomic_int min_level = PDPD_LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn",
    "error"};

void
pdpd_log_level(int level)
{
	atomic_store(&min_level, level);
}

uint64_t
pdpd_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

uint64_t
pdpd_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

void
pdpd_json_raw(char *buf, size_t cap, size_t *off, const char *s, size_t n)
{
	if (*off + n > cap)
		n = cap > *off ? cap - *off : 0;
	memcpy(buf + *off, s, n);
	*off += n;
}

void
pdpd_json_str(char *buf, size_t cap, size_t *off, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	pdpd_json_raw(buf, cap, off, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char) s[i];
		char esc[6];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char) c;
			pdpd_json_raw(buf, cap, off, esc, 2);
		} else if (c < 0x20 || c == 0x7f) {
			// Control bytes cannot forge a line of their own.
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			pdpd_json_raw(buf, cap, off, esc, 6);
		} else {
			pdpd_json_raw(buf, cap, off, (const char *) &s[i], 1);
		}
	}
	pdpd_json_raw(buf, cap, off, "\"", 1);
}

void
pdpd_log(int level, const char *event, size_t n, const pdpd_kv *kv)
{
	char buf[4096], num[32], ts[40];
	size_t off = 0;
	struct timespec now;
	struct tm tm;

	if (level < atomic_load(&min_level))
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	size_t tn = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + tn, sizeof(ts) - tn, ".%03ldZ", now.tv_nsec / 1000000);

	pdpd_json_raw(buf, sizeof(buf) - 1, &off, "{\"ts\":", 6);
	pdpd_json_str(buf, sizeof(buf) - 1, &off, ts, strlen(ts));
	pdpd_json_raw(buf, sizeof(buf) - 1, &off, ",\"level\":", 9);
	const char *ln = level_names[level & 3];
	pdpd_json_str(buf, sizeof(buf) - 1, &off, ln, strlen(ln));
	pdpd_json_raw(buf, sizeof(buf) - 1, &off, ",\"event\":", 9);
	pdpd_json_str(buf, sizeof(buf) - 1, &off, event, strlen(event));
	for (size_t i = 0; i < n; i++) {
		pdpd_json_raw(buf, sizeof(buf) - 1, &off, ",", 1);
		pdpd_json_str(buf, sizeof(buf) - 1, &off, kv[i].k,
		    strlen(kv[i].k));
		pdpd_json_raw(buf, sizeof(buf) - 1, &off, ":", 1);
		int k = 0;
		switch (kv[i].t) {
		case PDPD_KV_S:
			if (kv[i].s == NULL) {
				pdpd_json_raw(buf, sizeof(buf) - 1, &off, "null", 4);
				break;
			}
			pdpd_json_str(buf, sizeof(buf) - 1, &off, kv[i].s,
			    strlen(kv[i].s));
			break;
		case PDPD_KV_U:
			k = snprintf(num, sizeof(num), "%" PRIu64, kv[i].u);
			pdpd_json_raw(buf, sizeof(buf) - 1, &off, num, (size_t) k);
			break;
		case PDPD_KV_I:
			k = snprintf(num, sizeof(num), "%" PRId64, kv[i].i);
			pdpd_json_raw(buf, sizeof(buf) - 1, &off, num, (size_t) k);
			break;
		}
	}
	// A field too long for the buffer is cut; the line still ends.
	if (off > sizeof(buf) - 3)
		off = sizeof(buf) - 3;
	buf[off++] = '}';
	buf[off++] = '\n';
	// One write per line, so lines of different threads never mix.
	ssize_t w = write(STDERR_FILENO, buf, off);
	(void) w;
}
