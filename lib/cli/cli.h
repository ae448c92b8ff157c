/* SPDX-License-Identifier: MIT */
/* mmngr(1): declarations shared by the tool's source files. */
#ifndef MMNGR_CLI_H
#define MMNGR_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmngr2.h"

/* Output: a table of rows under named columns, printed at table_end(). */
enum format { FMT_TABLE, FMT_TSV, FMT_KV };

extern enum format format;

struct table;

struct table *table_begin(const char *const *cols, size_t ncols);
/* One row: ncols strings, copied. */
void table_row(struct table *t, const char *const *vals);
void table_end(struct table *t);

/* "256M" for tables, "268435456" for scripts. */
void fmt_size(char *s, size_t n, uint64_t bytes);

/* "4096", "0x1000", "64K", "1M", "2G"; false if malformed. */
bool parse_size(const char *s, uint64_t *bytes);

/* errors: "mmngr: ..." on stderr. */
void err_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Commands; each returns the exit status. */
int cmd_pools(int argc, char **argv);
int cmd_buffers(int argc, char **argv);
int cmd_users(int argc, char **argv);
int cmd_alloc(int argc, char **argv);
int cmd_shell(int argc, char **argv);

/* Shared with the shell. */
int show_pools(struct mmngr2 *mm);
int show_buffers(void);
/* dma-bufs of mmngrbuf; only the @ninos inodes in @inos unless 0. */
int show_users(const unsigned long *inos, size_t ninos);
/* A pool by name or index; -1 and a message if there is none. */
int pick_pool(struct mmngr2 *mm, const char *arg);
/* A caching mode by name; -1 if there is none. */
int parse_caching(const char *s);

#endif /* MMNGR_CLI_H */
