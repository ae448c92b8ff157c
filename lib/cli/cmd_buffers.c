// SPDX-License-Identifier: MIT
/*
 * mmngr buffers: every live buffer, as mmngr's debugfs file lists them
 * (a header line naming tab-separated columns), in the chosen format.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define BUFFERS_FILE	"/sys/kernel/debug/mmngr/buffers"
#define MAX_COLS	16

/* Split @line at tabs into at most MAX_COLS fields; their number. */
static size_t split_tabs(char *line, char **f)
{
	size_t n = 0;

	line[strcspn(line, "\n")] = '\0';
	while (n < MAX_COLS) {
		f[n++] = line;
		line = strchr(line, '\t');
		if (!line)
			break;
		*line++ = '\0';
	}
	return n;
}

int show_buffers(void)
{
	char *cols[MAX_COLS], *vals[MAX_COLS], *head = NULL, *line = NULL;
	size_t ncols, nvals, hcap = 0, lcap = 0;
	struct table *t;
	FILE *f;

	f = fopen(BUFFERS_FILE, "re");
	if (!f) {
		err_msg("%s: %s (needs root and debugfs mounted)",
			BUFFERS_FILE, strerror(errno));
		return 1;
	}
	if (getline(&head, &hcap, f) < 0) {
		err_msg("%s: empty", BUFFERS_FILE);
		fclose(f);
		return 1;
	}
	ncols = split_tabs(head, cols);
	t = table_begin((const char *const *)cols, ncols);
	while (getline(&line, &lcap, f) >= 0) {
		nvals = split_tabs(line, vals);
		/* A comm may be empty; never read past what the line had. */
		while (nvals < ncols)
			vals[nvals++] = "";
		table_row(t, (const char *const *)vals);
	}
	table_end(t);
	free(line);
	free(head);
	fclose(f);
	return 0;
}

int cmd_buffers(int argc, char **argv)
{
	if (argc > 1) {
		err_msg("buffers takes no arguments");
		return 2;
	}
	return show_buffers();
}
