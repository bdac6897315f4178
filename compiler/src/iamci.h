// iamci.h - internals shared by the compiler's source files.
//
// One compile runs with an iamci_ctx: the arena the program is built in,
// the diagnostics list, the policy type and whether policy variables are
// recognized. Every element compiler reports problems through it and keeps
// going, so one pass finds every problem in a document.

#ifndef IAMCI_H
#define IAMCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "iamc.h"
#include "program.h"

// Longest JSON path we build; longer paths are truncated, never overrun.
#define IAMCI_PATH_MAX 512

// AWS answers most grammar errors with this one text; our messages say
// what is wrong and end with it, so that both can be searched for.
#define IAMCI_AWS_SYNTAX " (AWS: \"Syntax errors in policy.\")"

typedef struct iamci_ctx {
	iamc_arena *a;
	iamc_diags *d;
	pdp_policy_type type;
	const iamc_compile_options *opt; // NULL: no plugin keys
	bool vars;     // Version 2012-10-17: ${...} are policy variables
	bool nomem;    // an allocation failed; the result is ENOMEM
	uint32_t nerr; // errors reported by this compile
} iamci_ctx;

// iamci_error and iamci_warn report a problem at JSON path `path`.
void iamci_error(iamci_ctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void iamci_warn(iamci_ctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

// iamci_arena_fail_after makes the arena fail every allocation after the
// next n (fault injection for tests); SIZE_MAX turns it off.
void iamci_arena_fail_after(iamc_arena *a, size_t n);

// iamci_alloc returns n zeroed bytes from the arena; on failure it sets
// c->nomem and returns NULL.
void *iamci_alloc(iamci_ctx *c, size_t n);

// iamci_str copies s[0..n) into the arena (NUL-terminated) as *out;
// iamci_str_fold does the same, case-folded (ASCII and Latin-1). Both
// return false (and set c->nomem) when out of memory.
bool iamci_str(iamci_ctx *c, const char *s, size_t n, pdpi_str *out);
bool iamci_str_fold(iamci_ctx *c, const char *s, size_t n, pdpi_str *out);

// iamci_charset_check reports every string and key under `v` (at JSON
// path `path`) that holds a character policies may not contain.
void iamci_charset_check(iamci_ctx *c, const json_t *v, const char *path);

// iamci_path formats a JSON path into buf (IAMCI_PATH_MAX bytes).
void iamci_path(char *buf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

// iamci_elem_path names element i of `v` under `base`: `base` itself when
// v is a single string, "base[i]" when v is an array.
void iamci_elem_path(char *buf, const char *base, const json_t *v, size_t i);

// iamci_strlist checks that `v` is a string or an array of strings and
// reports each offending element at its path. Returns the number of
// elements (1 for a string), or -1 when v is neither string nor array.
// Non-string elements of an array are counted; callers skip them.
long iamci_strlist(iamci_ctx *c, const char *path, const char *what,
    const json_t *v);

// iamci_elem_fn compiles one string element into *out (an array slot);
// false when the element has an error (reported) and is dropped.
typedef bool (*iamci_elem_fn)(iamci_ctx *c, const char *path, const char *s,
    size_t n, void *out);

// iamci_strlist_compile compiles every string of `v` (a string or an array
// of strings, checked by iamci_strlist) with `fn` into a new array of
// `size`-byte elements (*out); returns how many compiled.
uint32_t iamci_strlist_compile(iamci_ctx *c, const char *path,
    const char *what, const json_t *v, size_t size, iamci_elem_fn fn,
    void **out);

// iamci_strlist_get returns element i of a string-or-array value, or NULL
// when that element is not a string.
const json_t *iamci_strlist_get(const json_t *v, size_t i);

// iamci_has_wildcard reports whether s[0..n) contains '*' or '?'.
bool iamci_has_wildcard(const char *s, size_t n);

// --- statement.c ------------------------------------------------------------

// iamci_stmt_compile validates statement `v` (at `path`, position `index`)
// against the rules of c->type and compiles it into *st. Problems are
// reported; *st is meaningful only when the compile has no errors.
void iamci_stmt_compile(iamci_ctx *c, const char *path, uint32_t index,
    const json_t *v, pdpi_stmt *st);

// --- template.c ------------------------------------------------------------

// iamci_tmpl_build copies s[0..n) into the arena as out->text and, when
// `vars` is set, splits it into literal, variable and escape parts.
// Returns false only when out of memory.
bool iamci_tmpl_build(iamci_ctx *c, const char *s, size_t n, bool vars,
    pdpi_tmpl *out);

// --- action.c --------------------------------------------------------------

// iamci_actions_compile validates and compiles an Action/NotAction value
// at `path` (`what` names the element in messages); returns the number of
// entries written to *out.
uint32_t iamci_actions_compile(iamci_ctx *c, const char *path,
    const char *what, const json_t *v, const pdpi_action **out);

// --- resource.c -------------------------------------------------------------

// iamci_resources_compile validates and compiles a Resource/NotResource
// value at `path` (`what` names the element in messages); returns the
// number of entries written to *out.
uint32_t iamci_resources_compile(iamci_ctx *c, const char *path,
    const char *what, const json_t *v, const pdpi_resource **out);

// --- principal.c ------------------------------------------------------------

// iamci_principals_compile validates and compiles a Principal/NotPrincipal
// value at `path` (`what` names the element in messages); returns the
// number of entries written to *out.
uint32_t iamci_principals_compile(iamci_ctx *c, const char *path,
    const char *what, const json_t *v, const pdpi_principal **out);

// iamci_principals_check_not warns when a NotPrincipal list names users,
// roles or sessions of an account without naming the account itself.
void iamci_principals_check_not(iamci_ctx *c, const char *path,
    const pdpi_principal *p, uint32_t n);

// --- condition.c ------------------------------------------------------------

// iamci_conds_compile validates and compiles a Condition block at `path`
// for a statement with `effect` (0 when the effect is invalid); returns
// the number of conditions written to *out.
uint32_t iamci_conds_compile(iamci_ctx *c, const char *path,
    const json_t *v, uint8_t effect, const pdpi_cond **out);

// --- custom.c ---------------------------------------------------------------

// iamci_custom_key marks condition `cd` (at `kpath`) custom when a plugin
// declares its key, reports an operator that does not fit the declared
// type (an error) and an undeclared key in a plugin namespace (a
// warning). Does nothing without plugin keys.
void iamci_custom_key(iamci_ctx *c, const char *kpath, pdpi_cond *cd);

// --- condkey.c --------------------------------------------------------------

enum iamci_key_class {
	IAMCI_KEY_OTHER = 0,   // not a global key (service key, or unknown
	                       // prefix)
	IAMCI_KEY_SINGLE = 1,  // known single-valued global key
	IAMCI_KEY_MULTI = 2,   // known multivalued global key
	IAMCI_KEY_UNKNOWN = 3, // "aws:" key not in our catalogue
};

// iamci_key_class classifies a folded condition key.
enum iamci_key_class iamci_key_class(const char *folded, size_t n);

#endif // IAMCI_H
