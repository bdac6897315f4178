// plugin_keys.c - read the "keys" of every plugin manifest of a directory
// into compile options. Only what the compiler needs is read here; the
// plugin host (plugins/src/manifest.c) validates manifests in full when
// it loads the plugins.

#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iamc_plugins.h"

struct iamc_plugin_keys {
	iamc_compile_options opt;
	iamc_custom_key *keys;
	size_t n;
};

void
iamc_plugin_keys_close(iamc_plugin_keys *k)
{
	if (k == NULL)
		return;
	for (size_t i = 0; i < k->n; i++) {
		free((char *) k->keys[i].name);
		free((char *) k->keys[i].plugin);
	}
	free(k->keys);
	free(k);
}

const iamc_compile_options *
iamc_plugin_keys_options(const iamc_plugin_keys *k)
{
	return &k->opt;
}

static int
add(iamc_plugin_keys *k, const char *name, iamc_key_type t,
    const char *plugin)
{
	iamc_custom_key *v = realloc(k->keys, (k->n + 1) * sizeof(*v));

	if (v == NULL)
		return PDP_ENOMEM;
	k->keys = v;
	v[k->n].name = strdup(name);
	v[k->n].plugin = strdup(plugin);
	v[k->n].type = t;
	k->n++;
	if (v[k->n - 1].name == NULL || v[k->n - 1].plugin == NULL)
		return PDP_ENOMEM;
	return PDP_OK;
}

// read_manifest adds the keys of manifest `path` (plugin `plugin`).
static int
read_manifest(iamc_plugin_keys *k, const char *path, const char *plugin,
    char *err, size_t errlen)
{
	json_error_t je;
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	const char *name;
	json_t *keys, *t;
	int rv = PDP_OK;

	if (doc == NULL) {
		snprintf(err, errlen, "%s:%d:%d: %s", path, je.line, je.column,
		    je.text);
		return PDP_EINVAL;
	}
	keys = json_object_get(doc, "keys");
	if (keys != NULL && !json_is_object(keys)) {
		snprintf(err, errlen, "%s: \"keys\" must map condition keys "
		    "to types", path);
		rv = PDP_EINVAL;
	}
	json_object_foreach(keys, name, t) {
		iamc_key_type ty;
		if (rv != PDP_OK)
			break;
		if (!iamc_key_type_parse(json_string_value(t), &ty)) {
			snprintf(err, errlen, "%s: key \"%.128s\": the type "
			    "must be String, Numeric, Date, Bool, IpAddress, "
			    "Arn or Binary", path, name);
			rv = PDP_EINVAL;
		} else if (add(k, name, ty, plugin) != PDP_OK) {
			snprintf(err, errlen, "out of memory");
			rv = PDP_ENOMEM;
		}
	}
	json_decref(doc);
	return rv;
}

int
iamc_plugin_keys_open(const char *dir, iamc_plugin_keys **out, char *err,
    size_t errlen)
{
	iamc_plugin_keys *k = calloc(1, sizeof(*k));
	char path[4096], plugin[256];
	struct dirent *e;
	DIR *d;
	int rv = PDP_OK;

	if (k == NULL) {
		snprintf(err, errlen, "out of memory");
		return PDP_ENOMEM;
	}
	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		free(k);
		return PDP_EIO;
	}
	while (rv == PDP_OK && (e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n <= 5 || n - 5 >= sizeof(plugin) ||
		    strcmp(e->d_name + n - 5, ".json") != 0)
			continue;
		memcpy(plugin, e->d_name, n - 5);
		plugin[n - 5] = '\0';
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		rv = read_manifest(k, path, plugin, err, errlen);
	}
	closedir(d);
	if (rv != PDP_OK) {
		iamc_plugin_keys_close(k);
		return rv;
	}
	k->opt.keys = k->keys;
	k->opt.nkeys = k->n;
	*out = k;
	return PDP_OK;
}
