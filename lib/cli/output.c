// SPDX-License-Identifier: MIT
/*
 * mmngr(1) output.  Tables line their columns up for people; --format=tsv
 * prints a header line and tab-separated rows, --format=kv one
 * "key=value ..." line per row, both unpadded and with sizes in bytes, so
 * that scripts can cut, grep and read them.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum format format = FMT_TABLE;

struct table {
	size_t ncols, nrows;
	const char *const *cols;
	char **cells;		/* nrows * ncols */
};

void err_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("mmngr: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		err_msg("out of memory");
		exit(1);
	}
	return p;
}

struct table *table_begin(const char *const *cols, size_t ncols)
{
	struct table *t = xrealloc(NULL, sizeof(*t));

	t->ncols = ncols;
	t->nrows = 0;
	t->cols = cols;
	t->cells = NULL;
	return t;
}

void table_row(struct table *t, const char *const *vals)
{
	size_t i, base = t->nrows * t->ncols;

	t->cells = xrealloc(t->cells, (base + t->ncols) * sizeof(char *));
	for (i = 0; i < t->ncols; i++) {
		t->cells[base + i] = strdup(vals[i] && *vals[i] ? vals[i] : "-");
		if (!t->cells[base + i]) {
			err_msg("out of memory");
			exit(1);
		}
	}
	t->nrows++;
}

static void print_table(const struct table *t)
{
	size_t *w = xrealloc(NULL, t->ncols * sizeof(*w));
	size_t r, c, len;

	for (c = 0; c < t->ncols; c++)
		w[c] = strlen(t->cols[c]);
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++) {
			len = strlen(t->cells[r * t->ncols + c]);
			if (len > w[c])
				w[c] = len;
		}
	for (r = 0; r <= t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			const char *s = r ? t->cells[(r - 1) * t->ncols + c] :
					    t->cols[c];

			/* No trailing blanks after the last column. */
			if (c + 1 < t->ncols)
				printf("%-*s  ", (int)w[c], s);
			else
				printf("%s\n", s);
		}
	}
	free(w);
}

void table_end(struct table *t)
{
	size_t r, c;

	switch (format) {
	case FMT_TABLE:
		print_table(t);
		break;
	case FMT_TSV:
		for (c = 0; c < t->ncols; c++)
			printf("%s%c", t->cols[c], c + 1 < t->ncols ? '\t' : '\n');
		for (r = 0; r < t->nrows; r++)
			for (c = 0; c < t->ncols; c++)
				printf("%s%c", t->cells[r * t->ncols + c],
				       c + 1 < t->ncols ? '\t' : '\n');
		break;
	case FMT_KV:
		for (r = 0; r < t->nrows; r++)
			for (c = 0; c < t->ncols; c++)
				printf("%s=%s%c", t->cols[c],
				       t->cells[r * t->ncols + c],
				       c + 1 < t->ncols ? ' ' : '\n');
		break;
	}
	fflush(stdout);
	for (r = 0; r < t->nrows * t->ncols; r++)
		free(t->cells[r]);
	free(t->cells);
	free(t);
}

void fmt_size(char *s, size_t n, uint64_t bytes)
{
	static const char units[] = "KMGT";
	int u = -1;

	if (format != FMT_TABLE || bytes < 1024 || bytes % 1024) {
		snprintf(s, n, "%llu", (unsigned long long)bytes);
		return;
	}
	/* Exact multiples only: a table never rounds a figure. */
	while (u < 3 && bytes >= 1024 && !(bytes % 1024)) {
		bytes /= 1024;
		u++;
	}
	snprintf(s, n, "%llu%c", (unsigned long long)bytes, units[u]);
}

bool parse_size(const char *s, uint64_t *bytes)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	if (!*s || *s == '-')
		return false;
	v = strtoull(s, &end, 0);
	switch (*end) {
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	case '\0':
		break;
	default:
		return false;
	}
	if (shift && end[1])
		return false;
	if (v > (~0ULL >> shift))
		return false;
	*bytes = (uint64_t)v << shift;
	return true;
}
