// SPDX-License-Identifier: GPL-2.0-only
/*
 * The mmngr tool: every command, in the scriptable formats, checked
 * against what the library and the kernel say.
 */

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mmngr2.h>

#include "kselftest_harness.h"

static char tool[512];
static char out[65536];

/* Run the tool with @args (and @input on stdin); its stdout in out[]. */
static int run(const char *args, const char *input)
{
	char cmd[1024];
	size_t n;
	FILE *f;
	int st;

	if (!tool[0]) {
		ssize_t len = readlink("/proc/self/exe", tool, sizeof(tool) - 16);

		if (len < 0)
			return -1;
		tool[len] = '\0';
		strcpy(dirname(tool) + strlen(tool), "/mmngr");
	}
	snprintf(cmd, sizeof(cmd), "%s%s%s %s", input ? "printf '" : "",
		 input ? input : "", input ? "' | " : "", tool);
	snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), " %s", args);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The value of @key in the kv line that contains @match, in @val. */
static int kv(const char *match, const char *key, char *val, size_t n)
{
	char *line = out, *end, *k;
	char pat[64];

	snprintf(pat, sizeof(pat), "%s=", key);
	for (; *line; line = end + 1) {
		end = strchrnul(line, '\n');
		if (!memmem(line, end - line, match, strlen(match)))
			goto next;
		for (k = line; (k = memmem(k, end - k, pat, strlen(pat))); k++) {
			if (k != line && k[-1] != ' ')
				continue;
			k += strlen(pat);
			snprintf(val, n, "%.*s", (int)strcspn(k, "\n "), k);
			return 0;
		}
next:
		if (!*end)
			break;
	}
	return -1;
}

TEST(pools_match_library)
{
	struct mmngr2_pool p;
	struct mmngr2 *mm;
	static const char header[] =
		"index\tname\tkind\tsize\tused\tfree\tlargest\tbuffers\tcaching\n";
	char v[64], match[64], want[32];
	unsigned int i;

	ASSERT_EQ(0, run("--format=kv pools", NULL));
	ASSERT_EQ(0, mmngr2_open(&mm));
	for (i = 0; !mmngr2_pool_get(mm, i, &p, sizeof(p)); i++) {
		snprintf(match, sizeof(match), "name=%s ", p.name);
		ASSERT_EQ(0, kv(match, "index", v, sizeof(v)));
		EXPECT_EQ(i, strtoul(v, NULL, 10));
		ASSERT_EQ(0, kv(match, "size", v, sizeof(v)));
		/* Unknown sizes (the kernel heap's) are "-". */
		snprintf(want, sizeof(want), "%llu", (unsigned long long)p.size);
		EXPECT_STREQ(p.size ? want : "-", v);
		ASSERT_EQ(0, kv(match, "free", v, sizeof(v)));
		snprintf(want, sizeof(want), "%llu",
			 (unsigned long long)(p.size - p.used));
		EXPECT_STREQ(p.size ? want : "-", v);
		ASSERT_EQ(0, kv(match, "largest", v, sizeof(v)));
		ASSERT_EQ(0, kv(match, "caching", v, sizeof(v)));
	}
	mmngr2_close(mm);
	EXPECT_LE(2, i);

	ASSERT_EQ(0, run("--format=tsv pools", NULL));
	EXPECT_EQ(0, strncmp(out, header, strlen(header)));
	ASSERT_EQ(0, run("pools", NULL));
	EXPECT_TRUE(!!strstr(out, "kernelheap"));
	EXPECT_TRUE(!!strstr(out, "multimedia"));
}

TEST(alloc_one_shot)
{
	char v[64];

	ASSERT_EQ(0, run("--format=kv alloc 64K --pool=multimedia --align=64K --export", NULL));
	ASSERT_EQ(0, kv("buf=1", "size", v, sizeof(v)));
	EXPECT_STREQ("65536", v);
	ASSERT_EQ(0, kv("buf=1", "pool", v, sizeof(v)));
	EXPECT_STREQ("multimedia", v);
	ASSERT_EQ(0, kv("buf=1", "dev_addr", v, sizeof(v)));
	EXPECT_EQ(0, strtoull(v, NULL, 0) % 65536);
	EXPECT_NE(0, strtoull(v, NULL, 0));
	ASSERT_EQ(0, kv("fd=", "ino", v, sizeof(v)));

	EXPECT_EQ(1, run("alloc 1G --pool=no-such-pool 2>/dev/null", NULL));
	EXPECT_EQ(2, run("alloc 12Q 2>/dev/null", NULL));
	EXPECT_EQ(2, run("alloc 2>/dev/null", NULL));
	EXPECT_EQ(2, run("frobnicate 2>/dev/null", NULL));
	EXPECT_EQ(2, run("--format=xml pools 2>/dev/null", NULL));
	EXPECT_EQ(0, run("--help", NULL));
	EXPECT_TRUE(!!strstr(out, "usage: mmngr"));
}

/* Allocate and export in one process; see the buffer and its users. */
TEST(shell_buffers_and_users)
{
	char v[64], ino[32], match[128];
	unsigned long long addr;
	long long pid;

	ASSERT_EQ(0, run("--format=kv shell",
			 "alloc 1M pool=kernelheap caching=cached\\n"
			 "fill 1 0x5a\\nexport 1\\nbuffers\\nusers 1\\n"
			 "free 1\\nusers 1\\nunexport 1\\n"));
	ASSERT_EQ(0, kv("buf=1", "dev_addr", v, sizeof(v)));
	addr = strtoull(v, NULL, 0);
	ASSERT_EQ(0, kv("fd=", "ino", ino, sizeof(ino)));

	/* buffers: the tool's own, from debugfs, the only one it has. */
	ASSERT_EQ(0, kv("comm=mmngr", "dev_addr", v, sizeof(v)));
	EXPECT_EQ(addr, strtoull(v, NULL, 0));
	ASSERT_EQ(0, kv("comm=mmngr", "pid", v, sizeof(v)));
	pid = atoll(v);
	EXPECT_LT(0, pid);
	ASSERT_EQ(0, kv("comm=mmngr", "size", v, sizeof(v)));
	EXPECT_STREQ("1048576", v);
	ASSERT_EQ(0, kv("comm=mmngr", "caching", v, sizeof(v)));
	EXPECT_STREQ("cached", v);

	/* users, twice: before and after free the dma-buf holds the buffer. */
	snprintf(match, sizeof(match), "ino=%s ", ino);
	ASSERT_EQ(0, kv(match, "size", v, sizeof(v)));
	EXPECT_STREQ("1048576", v);
	ASSERT_EQ(0, kv(match, "processes", v, sizeof(v)));
	snprintf(match, sizeof(match), "%lld/mmngr:fd", pid);
	EXPECT_TRUE(!!strstr(v, match));
	EXPECT_TRUE(!!strstr(strstr(out, "processes=") + 1, "processes="));

	/* A failing command fails the shell, the others still run. */
	EXPECT_EQ(1, run("shell 2>/dev/null", "free 9\\npools\\n"));
	EXPECT_TRUE(!!strstr(out, "kernelheap"));
}

TEST_HARNESS_MAIN
