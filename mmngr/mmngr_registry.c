// SPDX-License-Identifier: GPL-2.0-only
/*
 * The registry of live buffers, by device address: "which buffer is this
 * address in" for the Renesas SHARE, mmngrbuf's EXPORT_START and drivers
 * that validate addresses user space gives them, with the policy of who
 * may use a buffer found that way; and its debugfs listing.
 *
 * An rbtree keyed by device address, under a spinlock held for the walk
 * only: lookups cost O(log n).
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/rbtree.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>

#include <linux/mmngr.h>

#include "mmngr_drv.h"

enum {
	SHARE_PROCESS,	/* only the allocating process */
	SHARE_USER,	/* processes of the allocating process's effective user */
	SHARE_ANY,	/* any process that can open the devices */
};

static int share_policy = SHARE_USER;
module_param(share_policy, int, 0644);
MODULE_PARM_DESC(share_policy,
		 "Who may map or export (SHARE, dma-buf) a buffer allocated by another process: 0 the allocating process only, 1 the same effective user (default), 2 anyone who can open the devices; CAP_SYS_ADMIN always may");

static DEFINE_SPINLOCK(registry_lock);
static struct rb_root registry = RB_ROOT;
static struct dentry *debugfs_dir;

/**
 * mmngr_registry_insert() - make a complete buffer findable by address
 * @buf: the buffer, with its device address
 */
void mmngr_registry_insert(struct mmngr_buffer *buf)
{
	struct rb_node **link = &registry.rb_node, *parent = NULL;

	spin_lock(&registry_lock);
	while (*link) {
		parent = *link;
		if (buf->dma_addr < rb_entry(parent, struct mmngr_buffer, rb)->dma_addr)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(&buf->rb, parent, link);
	rb_insert_color(&buf->rb, &registry);
	spin_unlock(&registry_lock);
}

/**
 * mmngr_registry_remove() - a buffer is going
 * @buf: a buffer mmngr_registry_insert() entered
 */
void mmngr_registry_remove(struct mmngr_buffer *buf)
{
	spin_lock(&registry_lock);
	rb_erase(&buf->rb, &registry);
	spin_unlock(&registry_lock);
}

/**
 * mmngr_buffer_lookup() - find the live buffer holding a range
 * @addr:	device address (the Renesas ABI's "hard address")
 * @size:	bytes from @addr, at least 1
 *
 * Return: the buffer with a reference the caller must drop, or NULL if no
 * single live buffer holds all of [@addr, @addr + @size).
 */
struct mmngr_buffer *mmngr_buffer_lookup(dma_addr_t addr, u64 size)
{
	struct mmngr_buffer *buf, *found = NULL;
	struct rb_node *n;
	u64 end;

	if (!size || check_add_overflow((u64)addr, size, &end))
		return NULL;

	spin_lock(&registry_lock);
	n = registry.rb_node;
	while (n) {
		buf = rb_entry(n, struct mmngr_buffer, rb);
		if (addr < buf->dma_addr) {
			n = n->rb_left;
		} else if (addr >= buf->dma_addr + buf->size) {
			n = n->rb_right;
		} else {
			if (end <= buf->dma_addr + buf->size &&
			    kref_get_unless_zero(&buf->ref))
				found = buf;
			break;
		}
	}
	spin_unlock(&registry_lock);
	return found;
}
EXPORT_SYMBOL_GPL(mmngr_buffer_lookup);

/**
 * mmngr_buffer_may_share() - whether the current task may use a buffer
 * @buf: a buffer the current task found by its address
 *
 * Buffers found by address (Renesas SHARE, mmngrbuf's EXPORT_START) belong
 * to the process that allocated them; the share_policy parameter says who
 * else may map or export them.
 *
 * Return: true if the current task may.
 */
bool mmngr_buffer_may_share(const struct mmngr_buffer *buf)
{
	/* The process itself, not a later one that got its number. */
	if (buf->owner == task_tgid(current))
		return true;
	switch (READ_ONCE(share_policy)) {
	case SHARE_ANY:
		return true;
	case SHARE_USER:
		if (uid_eq(buf->uid, current_euid()))
			return true;
		break;
	}
	return capable(CAP_SYS_ADMIN);
}
EXPORT_SYMBOL_GPL(mmngr_buffer_may_share);

/**
 * mmngr_validate_phys_addr() - check that a range belongs to a live buffer
 * @phys_addr:	device address of the first byte (the original's "hard
 *		address": physical where no IOMMU translates it)
 * @size:	length of the range in bytes
 *
 * Drivers that accept device addresses from user space call this before
 * programming them into hardware, so that a process cannot point a DMA
 * master at memory mmngr did not give out.  The answer can be stale as soon
 * as it is given; drivers that keep using the memory should hold a
 * reference from mmngr_buffer_lookup() instead.  May sleep.
 *
 * Return: true if [@phys_addr, @phys_addr + @size) lies inside one live
 * buffer, false otherwise (and for empty or wrapping ranges).
 */
bool mmngr_validate_phys_addr(phys_addr_t phys_addr, u64 size)
{
	struct mmngr_buffer *buf = mmngr_buffer_lookup(phys_addr, size);

	if (!buf)
		return false;
	mmngr_buffer_put(buf);
	return true;
}
EXPORT_SYMBOL_GPL(mmngr_validate_phys_addr);

static int buffers_show(struct seq_file *m, void *unused)
{
	struct mmngr_buffer *buf;
	struct rb_node *n;

	seq_puts(m, "id\tpool\tsize\tcaching\tdev_addr\trefs\tpid\tcomm\n");
	spin_lock(&registry_lock);
	for (n = rb_first(&registry); n; n = rb_next(n)) {
		buf = rb_entry(n, struct mmngr_buffer, rb);
		seq_printf(m, "%llu\t%s\t%llu\t%s\t%pad\t%u\t%d\t%s\n",
			   buf->id, buf->pool->name, buf->size,
			   mmngr_caching_names[buf->caching], &buf->dma_addr,
			   kref_read(&buf->ref), pid_nr(buf->owner), buf->comm);
	}
	spin_unlock(&registry_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(buffers);

/**
 * mmngr_debugfs_init() - create /sys/kernel/debug/mmngr/buffers
 *
 * Return: 0; debugfs is optional.
 */
int mmngr_debugfs_init(void)
{
	debugfs_dir = debugfs_create_dir("mmngr", NULL);
	debugfs_create_file("buffers", 0400, debugfs_dir, NULL, &buffers_fops);
	return 0;
}

void mmngr_debugfs_exit(void)
{
	debugfs_remove_recursive(debugfs_dir);
}
