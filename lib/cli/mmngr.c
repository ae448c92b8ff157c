// SPDX-License-Identifier: MIT
/*
 * mmngr(1): look at and experiment with mmngr's pools, buffers and
 * dma-bufs.  Built on libmmngr's mmngr2 interface; see mmngr(1).
 */

#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} cmds[] = {
	{ "pools", cmd_pools, "pools: size, used, free, largest block" },
	{ "buffers", cmd_buffers, "live buffers (debugfs)" },
	{ "users", cmd_users, "[INO...]  mmngrbuf dma-bufs and their users" },
	{ "alloc", cmd_alloc,
	  "SIZE [--pool=P] [--align=N] [--caching=MODE] [--export] [--hold]" },
	{ "shell", cmd_shell, "commands on stdin (alloc, export, free, ...)" },
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static int usage(FILE *f, int status)
{
	size_t i;

	fputs("usage: mmngr [--format=table|tsv|kv] COMMAND [ARGS]\n"
	      "       mmngr --help | --version\n", f);
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].help);
	return status;
}

int main(int argc, char **argv)
{
	const char *fmt;
	size_t i;
	int a = 1;

	for (; a < argc && argv[a][0] == '-'; a++) {
		if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help"))
			return usage(stdout, 0);
		if (!strcmp(argv[a], "--version")) {
			printf("mmngr %s\n", MMNGR_VERSION);
			return 0;
		}
		if (strncmp(argv[a], "--format=", 9))
			return usage(stderr, 2);
		fmt = argv[a] + 9;
		if (!strcmp(fmt, "table"))
			format = FMT_TABLE;
		else if (!strcmp(fmt, "tsv"))
			format = FMT_TSV;
		else if (!strcmp(fmt, "kv"))
			format = FMT_KV;
		else
			return usage(stderr, 2);
	}
	if (a == argc)
		return usage(stderr, 2);
	for (i = 0; i < NCMDS; i++)
		if (!strcmp(argv[a], cmds[i].name))
			return cmds[i].fn(argc - a, argv + a);
	err_msg("unknown command %s", argv[a]);
	return usage(stderr, 2);
}
