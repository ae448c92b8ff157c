/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers shared by the mmngr kselftests. */
#ifndef _MMNGR_TEST_H
#define _MMNGR_TEST_H

#include <stddef.h>

/* Whether all @len bytes at @p are @c. */
static inline int all_bytes(const void *p, int c, size_t len)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != c)
			return 0;
	return 1;
}

#endif /* _MMNGR_TEST_H */
