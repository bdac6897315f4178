// stats.c - counters of the plugin host: each worker counts its own
// calls, errors, limits hit and denials (by rule) with relaxed atomics,
// written only by its thread; pdpl_host_stats sums them for pdpd's
// `stats` op. Nothing here takes a lock on the decision path.

#include <string.h>

#include "pdpli.h"

static uint64_t
get(const _Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

// rule_name copies the rule `reason` names: the text before its first
// ':' (the Lua API asks for "rule: why"), or all of it.
static void
rule_name(char *out, const char *reason)
{
	size_t n = strcspn(reason, ":");

	while (n > 0 && reason[n - 1] == ' ')
		n--;
	if (n >= PDPL_RULE_MAX)
		n = PDPL_RULE_MAX - 1;
	memcpy(out, reason, n);
	out[n] = '\0';
}

void
pdpli_count_rule(pdpli_counts *c, const char *reason)
{
	char name[PDPL_RULE_MAX];
	uint32_t n = atomic_load_explicit(&c->nrules, memory_order_relaxed);

	rule_name(name, reason);
	for (uint32_t i = 0; i < n; i++) {
		if (strcmp(c->rules[i].rule, name) == 0) {
			pdpli_count(&c->rules[i].n);
			return;
		}
	}
	if (n == PDPL_STATS_RULES) {
		pdpli_count(&c->other);
		return;
	}
	// The name is written before the count of rules is published, so
	// a reader never sees a half-written name.
	memcpy(c->rules[n].rule, name, sizeof(name));
	atomic_store_explicit(&c->rules[n].n, 1, memory_order_relaxed);
	atomic_store_explicit(&c->nrules, n + 1, memory_order_release);
}

static void
add_rule(pdpl_stats *s, const char *rule, uint64_t n)
{
	for (uint32_t i = 0; i < s->nrules; i++) {
		if (strcmp(s->rules[i].rule, rule) == 0) {
			s->rules[i].denials += n;
			return;
		}
	}
	if (s->nrules == PDPL_STATS_RULES) {
		s->other_rules += n;
		return;
	}
	memcpy(s->rules[s->nrules].rule, rule, PDPL_RULE_MAX);
	s->rules[s->nrules++].denials = n;
}

void
pdpli_stats_add(pdpl_stats *s, const pdpli_counts *c)
{
	uint32_t n = atomic_load_explicit(&c->nrules, memory_order_acquire);

	s->calls += get(&c->calls);
	s->errors += get(&c->errors);
	s->timeouts += get(&c->timeouts);
	s->memory += get(&c->memory);
	s->denials += get(&c->denials);
	s->other_rules += get(&c->other);
	for (uint32_t i = 0; i < n; i++)
		add_rule(s, c->rules[i].rule, get(&c->rules[i].n));
}

void
pdpli_stats_merge(pdpl_stats *s, const pdpl_stats *from)
{
	s->calls += from->calls;
	s->errors += from->errors;
	s->timeouts += from->timeouts;
	s->memory += from->memory;
	s->denials += from->denials;
	s->other_rules += from->other_rules;
	for (uint32_t i = 0; i < from->nrules; i++)
		add_rule(s, from->rules[i].rule, from->rules[i].denials);
}
