// plugins.c - `--plugins DIR` for iamc validate, compile and eval. The
// compiler needs only the manifests; eval also runs the plugins, through
// the plugin host (plugins/), which builds only outside fuzz builds:
// without it (IAMC_WITH_PLUGINS unset) eval --plugins is refused.

#include <stdio.h>
#include <string.h>

#include "iamc_plugins.h"
#include "plugins.h"
#ifdef IAMC_WITH_PLUGINS
#include "pdpl.h"
#endif

bool
iamc_cli_plugins_open(const char *dir, bool run, iamc_cli_plugins *p)
{
	char err[1024];

	memset(p, 0, sizeof(*p));
	if (iamc_plugin_keys_open(dir, &p->keys, err, sizeof(err)) !=
	    PDP_OK) {
		fprintf(stderr, "iamc: plugins: %s\n", err);
		return false;
	}
	p->eval.compile = iamc_plugin_keys_options(p->keys);
	if (!run)
		return true;
#ifdef IAMC_WITH_PLUGINS
	if (pdpl_host_open(dir, NULL, &p->host, err, sizeof(err)) != PDP_OK ||
	    pdpl_worker_open(p->host, &p->worker, err, sizeof(err)) !=
	    PDP_OK) {
		fprintf(stderr, "iamc: plugins: %s\n", err);
		iamc_cli_plugins_close(p);
		return false;
	}
	p->eval.provider = pdpl_worker_provider(p->worker);
	return true;
#else
	fprintf(stderr, "iamc: this build has no plugin host (Lua)\n");
	iamc_cli_plugins_close(p);
	return false;
#endif
}

void
iamc_cli_plugins_close(iamc_cli_plugins *p)
{
#ifdef IAMC_WITH_PLUGINS
	pdpl_worker_close(p->worker);
	pdpl_host_close(p->host);
#endif
	iamc_plugin_keys_close(p->keys);
	memset(p, 0, sizeof(*p));
}
