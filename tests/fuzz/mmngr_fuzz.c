// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmngr_fuzz: a seeded, structured, multi-threaded fuzzer of every
 * /dev/rgnmm, /dev/mmngr and /dev/rgnmmbuf command, of the dma-bufs and
 * sync_files they make, and of vgem's PRIME import of them.
 *
 * Worker threads share a table of live objects (files, buffer handles,
 * dma-bufs, imports, fences, sync_files, mappings, GEM handles) and pick
 * operations on them: valid ones, and ones with bad sizes, flags, pools,
 * offsets, pointers, truncated or oversized structures.  Files are closed
 * while other threads use them (the descriptor is replaced by /dev/null
 * with dup2(), so that its number is not reused under them), children fork
 * and are killed with SIGKILL, and a signal now and then interrupts
 * whatever a thread waits in.  Fence numbers are predictable (the lowest
 * free), so one operation races attaching fences against signalling low
 * numbers from a second thread.
 *
 * What a correct driver must do is checked, not what this one does today:
 * an invalid argument never succeeds, a read-only dma-buf or /dev/mmngr
 * maps for reading, new memory is zeroed, a successful mapping can be
 * touched, sizes and handles come back as documented.  A check is only made
 * when no other thread can have changed the objects under it.  The kernel
 * log is read as the lanes' verdict reads it, and an operation that does
 * not return within --hung seconds fails the run.  Every thread keeps a
 * ring of its last operations; on the first failure the rings are printed
 * in order, with the seed that replays the run (--seed S --replay runs the
 * threads in turn, so that each one's choices repeat).  It goes on to the
 * end of its time, reporting every kind of failure, unless --first.
 *
 * A supervisor process runs the fuzzer as its child and prints TAP: no
 * unexpected result, a clean kernel log, no hung or killed thread, and the
 * pools and buffer list back to where they were once the child has gone.
 */

#include "fuzz.h"

#include <dirent.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <drm/drm.h>
#include <drm/drm_mode.h>
#include <drm/vgem_drm.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/mmngr.h>
#include <linux/mmngrbuf.h>
#include <linux/rgnmm.h>
#include <linux/sync_file.h>

#define MAX_THREADS	16
#define MAX_OBJS	256
#define RING		48
#define MAX_PINS	4
#define MAX_POOLS	16
#define MiB		(1024ULL * 1024)
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* Exit status bits of the fuzzing child. */
#define FAIL_UNEXPECTED	1
#define FAIL_KMSG	2
#define FAIL_HUNG	4

enum kind {
	K_NONE, K_RGNMM, K_MMNGR, K_BUFDEV, K_DMABUF, K_SYNCFILE, K_VGEM,
	K_HANDLE, K_IMPORT, K_FENCE, K_GEM, K_MAP, NR_KINDS
};

static const char *const kind_name[NR_KINDS] = {
	"none", "rgnmm", "mmngr", "rgnmmbuf", "dmabuf", "syncfile", "vgem",
	"handle", "import", "fence", "gem", "map",
};

/* How many of each the table holds at most. */
static const int kind_max[NR_KINDS] = {
	0, 3, 3, 3, 8, 12, 2, 24, 24, 48, 12, 24,
};

static bool is_fd_kind(enum kind k)
{
	return k >= K_RGNMM && k <= K_VGEM;
}

/* Named by an id in a file: live only as long as that file. */
static bool is_child_kind(enum kind k)
{
	return k >= K_HANDLE && k <= K_GEM;
}

/**
 * struct obj - one live object of the table
 * @kind:	K_*, K_NONE for a free slot
 * @gen:	bumped each time the slot is freed
 * @pins:	operations using it now
 * @dead:	closed or freed; released when the last pin goes
 * @fd:		file descriptor (file kinds)
 * @parent:	the file a handle, import, fence or GEM handle belongs to
 * @rdonly:	a read-only dma-buf or /dev/mmngr
 * @ours:	a dma-buf mmngrbuf exported
 * @id:		handle, import handle, fence number or GEM handle
 * @size:	bytes of a buffer, dma-buf or mapping
 * @dev_addr:	a buffer's device address
 * @addr:	a mapping's address
 * @prot:	a mapping's protection
 */
struct obj {
	enum kind kind;
	unsigned int gen;
	int pins;
	bool dead;
	int fd;
	int parent;
	bool rdonly;
	bool ours;
	__u32 id;
	__u64 size;
	__u64 dev_addr;
	void *addr;
	int prot;
};

struct oprec {
	unsigned long long seq;
	double t;
	const char *op;
	long long a[4];
	long ret;
	int err;
};

struct pin {
	int slot;
	unsigned int gen;
};

struct thr {
	int idx;
	pthread_t th;
	__u64 rng;
	struct pin pins[MAX_PINS];
	int npins;
	struct oprec ring[RING];
	struct oprec *last;
	unsigned long long nops;
	int busy;		/* __atomic: in an operation since op_start */
	double op_start;
	const char *op;
	char *argbuf;		/* pages: rw, rw, none, read-only */
	sigjmp_buf jb;
	int in_touch;
};

struct pool_desc {
	__u32 kind;
	__u64 size;
	__u32 caching;
};

/* Options. */
static __u64 seed;
static int nthreads = 4;
static double duration;
static double hung_s = 30;
static bool replay, verbose, keep_going = true;
static unsigned long long max_ops;

/* State. */
static struct obj objs[MAX_OBJS];
static int kind_count[NR_KINDS];
static pthread_mutex_t tlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t plock = PTHREAD_MUTEX_INITIALIZER;
static struct thr thr[MAX_THREADS];
static __thread struct thr *self;
static long page;
static int placeholder = -1;
static int stop;		/* __atomic */
static unsigned long long seqno;	/* __atomic */
static unsigned long long turn;		/* __atomic, --replay */
static int fail_bits;		/* __atomic */
static int dumped;		/* __atomic */
static double t0;
static bool have_vgem;
static char vgem_path[300];
/* mmngr's dma-buf heap nodes, /dev/dma_heap/mmngr-*. */
static char heap_path[8][300];
static int nheaps;
static struct pool_desc pools[MAX_POOLS];
static unsigned long race_attached, race_signalled;	/* __atomic */
static int ncpus;
static int npools;

/* ---- random numbers ---- */

static __u64 splitmix(__u64 *s)
{
	__u64 z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static __u64 rnd64(struct thr *t)
{
	return splitmix(&t->rng);
}

/* 0 .. n - 1 */
static __u64 rnd(struct thr *t, __u64 n)
{
	return n ? rnd64(t) % n : 0;
}

static bool chance(struct thr *t, int percent)
{
	return rnd(t, 100) < (__u64)percent;
}

static __u64 pages(__u64 n)
{
	return n * page;
}

static __u64 page_align(__u64 v)
{
	return (v + page - 1) & ~(__u64)(page - 1);
}

/* A buffer size: mostly small and valid, now and then 0 or absurd. */
static __u64 rand_size(struct thr *t)
{
	int r = rnd(t, 100);

	if (r < 40)
		return pages(1 + rnd(t, 4));
	if (r < 70)
		return pages(1 + rnd(t, 64));
	if (r < 85)
		return 1 + rnd(t, 65536);
	if (r < 93)
		return MiB;
	if (r < 97)
		return (1 + rnd(t, 8)) * MiB;
	if (r < 98)
		return 0;
	if (r < 99)
		return 5ULL << 30;
	return 1ULL << 63;
}

/* ---- the op log ---- */

static double elapsed(void)
{
	return now_s() - t0;
}

static unsigned long long total_ops(void)
{
	unsigned long long n = 0;
	int i;

	for (i = 0; i < nthreads; i++)
		n += __atomic_load_n(&thr[i].nops, __ATOMIC_RELAXED);
	return n;
}

static struct oprec *oplog(struct thr *t, const char *op, long long a0,
			   long long a1, long long a2, long long a3)
{
	unsigned long long s = __atomic_add_fetch(&seqno, 1, __ATOMIC_RELAXED);
	struct oprec *r = &t->ring[s % RING];

	r->seq = s;
	r->t = elapsed();
	r->op = op;
	r->a[0] = a0;
	r->a[1] = a1;
	r->a[2] = a2;
	r->a[3] = a3;
	r->ret = -999;
	r->err = 0;
	t->last = r;
	if (verbose) {
		pthread_mutex_lock(&plock);
		printf("# t%d #%llu %s(%#llx, %#llx, %#llx, %#llx)\n", t->idx, s, op,
		       a0, a1, a2, a3);
		pthread_mutex_unlock(&plock);
	}
	return r;
}

static long opres(struct oprec *r, long ret)
{
	r->ret = ret;
	r->err = ret < 0 ? errno : 0;
	return ret;
}

struct snap {
	struct oprec r;
	int thread;
};

static int cmp_rec(const void *a, const void *b)
{
	const struct snap *x = a, *y = b;

	return x->r.seq < y->r.seq ? -1 : x->r.seq > y->r.seq;
}

/* Every thread's last operations, oldest first; once. */
static void dump_rings(const char *why)
{
	static struct snap all[MAX_THREADS * RING];
	int i, j, n = 0;

	if (__atomic_exchange_n(&dumped, 1, __ATOMIC_ACQ_REL))
		return;
	/* A copy: the other threads go on meanwhile. */
	for (i = 0; i < nthreads; i++) {
		for (j = 0; j < RING; j++) {
			if (!thr[i].ring[j].op)
				continue;
			all[n].r = thr[i].ring[j];
			all[n++].thread = i;
		}
	}
	qsort(all, n, sizeof(all[0]), cmp_rec);
	pthread_mutex_lock(&plock);
	printf("# FAILURE after %.1f s and %llu ops: %s\n", elapsed(), total_ops(), why);
	printf("# replay: mmngr_fuzz --seed %#llx --threads %d --replay\n",
	       (unsigned long long)seed, nthreads);
	printf("# last operations (thread, sequence, time, op(args) = result):\n");
	for (i = 0; i < n; i++) {
		struct oprec *r = &all[i].r;

		printf("#  t%d #%llu %.3f %s(%#llx, %#llx, %#llx, %#llx) = %ld%s%s\n",
		       all[i].thread, r->seq, r->t, r->op, r->a[0], r->a[1], r->a[2],
		       r->a[3], r->ret, r->err ? " " : "", r->err ? strerror(r->err) : "");
	}
	for (j = 0; j < nthreads; j++)
		if (__atomic_load_n(&thr[j].busy, __ATOMIC_ACQUIRE))
			printf("#  t%d is in %s since %.3f\n", j, thr[j].op,
			       thr[j].op_start - t0);
	pthread_mutex_unlock(&plock);
	fflush(stdout);
}

static void fail(int bit, const char *why)
{
	__atomic_or_fetch(&fail_bits, bit, __ATOMIC_RELAXED);
	dump_rings(why);
	if (!keep_going)
		__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
}

/* Each kind of unexpected result (its format) is printed a few times. */
#define MAX_KINDS	64
static const char *seen_fmt[MAX_KINDS];
static unsigned long seen_count[MAX_KINDS];

static void unexpected(struct thr *t, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int i;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&plock);
	for (i = 0; i < MAX_KINDS - 1 && seen_fmt[i] && seen_fmt[i] != fmt; i++)
		;
	seen_fmt[i] = fmt;
	if (seen_count[i]++ < 3)
		printf("# UNEXPECTED after %.1f s, %llu ops (t%d): %s\n", elapsed(),
		       total_ops(), t->idx, msg);
	pthread_mutex_unlock(&plock);
	fail(FAIL_UNEXPECTED, msg);
}

/* ---- the object table ---- */

static int obj_add(const struct obj *o)
{
	int i;

	pthread_mutex_lock(&tlock);
	if (kind_count[o->kind] >= kind_max[o->kind]) {
		pthread_mutex_unlock(&tlock);
		return -1;
	}
	for (i = 0; i < MAX_OBJS; i++) {
		if (objs[i].kind != K_NONE)
			continue;
		unsigned int gen = objs[i].gen;

		objs[i] = *o;
		objs[i].gen = gen;
		objs[i].pins = 0;
		objs[i].dead = false;
		kind_count[o->kind]++;
		pthread_mutex_unlock(&tlock);
		return i;
	}
	pthread_mutex_unlock(&tlock);
	return -1;
}

/* Give back what an object held; the caller has taken it off the table. */
static void obj_destroy(const struct obj *o)
{
	if (is_fd_kind(o->kind))
		close(o->fd);
	else if (o->kind == K_MAP)
		munmap(o->addr, o->size);
}

/* Free slot @s; tlock held.  Its children go with a file. */
static void slot_free(int s, struct obj *out, int *nout)
{
	int i;

	out[(*nout)++] = objs[s];
	kind_count[objs[s].kind]--;
	if (is_fd_kind(objs[s].kind)) {
		for (i = 0; i < MAX_OBJS; i++) {
			if (!is_child_kind(objs[i].kind) || objs[i].parent != s)
				continue;
			kind_count[objs[i].kind]--;
			objs[i].kind = K_NONE;
			objs[i].gen++;
		}
	}
	objs[s].kind = K_NONE;
	objs[s].gen++;
}

static void unpin_all(struct thr *t)
{
	struct obj gone[MAX_PINS];
	int i, s, n = 0;

	pthread_mutex_lock(&tlock);
	for (i = t->npins - 1; i >= 0; i--) {
		s = t->pins[i].slot;
		if (--objs[s].pins == 0 && objs[s].dead)
			slot_free(s, gone, &n);
	}
	t->npins = 0;
	pthread_mutex_unlock(&tlock);
	for (i = 0; i < n; i++)
		obj_destroy(&gone[i]);
}

static void pin(struct thr *t, int s)
{
	objs[s].pins++;
	t->pins[t->npins].slot = s;
	t->pins[t->npins].gen = objs[s].gen;
	t->npins++;
}

/*
 * A random live object of @kind, pinned (with its file, for children), or
 * -1.  Copies it to @o.
 */
static int pick(struct thr *t, enum kind k, struct obj *o)
{
	int cand[MAX_OBJS], n = 0, i, s;

	if (t->npins > MAX_PINS - 2)
		return -1;
	pthread_mutex_lock(&tlock);
	for (i = 0; i < MAX_OBJS; i++) {
		if (objs[i].kind != k || objs[i].dead)
			continue;
		if (is_child_kind(k) && objs[objs[i].parent].dead)
			continue;
		cand[n++] = i;
	}
	if (!n) {
		pthread_mutex_unlock(&tlock);
		return -1;
	}
	s = cand[rnd(t, n)];
	if (is_child_kind(k))
		pin(t, objs[s].parent);
	pin(t, s);
	*o = objs[s];
	pthread_mutex_unlock(&tlock);
	return s;
}

/* Any live file. */
static int pick_fd(struct thr *t, struct obj *o)
{
	static const enum kind fk[] = {
		K_RGNMM, K_MMNGR, K_BUFDEV, K_DMABUF, K_SYNCFILE, K_VGEM,
	};
	int i, s;

	for (i = 0; i < 4; i++) {
		s = pick(t, fk[rnd(t, ARRAY_SIZE(fk))], o);
		if (s >= 0)
			return s;
	}
	return -1;
}

/* Whether nothing this operation pinned was closed or freed meanwhile. */
static bool intact(struct thr *t)
{
	bool ok = true;
	int i, s;

	pthread_mutex_lock(&tlock);
	for (i = 0; i < t->npins; i++) {
		s = t->pins[i].slot;
		if (objs[s].dead || objs[s].gen != t->pins[i].gen)
			ok = false;
	}
	pthread_mutex_unlock(&tlock);
	return ok;
}

/* Mark a pinned object dead; it goes when its last user unpins it. */
static void kill_obj(int s)
{
	pthread_mutex_lock(&tlock);
	objs[s].dead = true;
	pthread_mutex_unlock(&tlock);
}

/* Record a new file, or close it if the table is full. */
static void add_fd(enum kind kind, int fd, bool rdonly, bool ours, __u64 size)
{
	struct obj o = { .kind = kind, .fd = fd, .rdonly = rdonly, .ours = ours,
			 .size = size, .parent = -1 };

	if (fd < 0)
		return;
	if (kind == K_DMABUF) {
		off_t end = lseek(fd, 0, SEEK_END);

		o.size = end > 0 ? end : 0;
	}
	if (obj_add(&o) < 0)
		close(fd);
}

static int add_child(enum kind kind, int parent, __u32 id, __u64 size,
		     __u64 dev_addr)
{
	struct obj o = { .kind = kind, .parent = parent, .id = id,
			 .size = size, .dev_addr = dev_addr, .fd = -1 };

	return obj_add(&o);
}

static void add_map(void *addr, __u64 size, int prot)
{
	struct obj o = { .kind = K_MAP, .addr = addr, .size = size,
			 .prot = prot, .fd = -1, .parent = -1 };

	if (obj_add(&o) < 0)
		munmap(addr, size);
}

/* ---- calling the kernel ---- */

static long xioctl(struct thr *t, const char *name, int fd, unsigned long cmd,
		   void *arg, long long a2, long long a3)
{
	struct oprec *r = oplog(t, name, fd, (long long)cmd, a2, a3);

	return opres(r, ioctl(fd, cmd, arg));
}

enum argmode { ARG_OK, ARG_BIG, ARG_BIG_DIRTY, ARG_SHORT, ARG_RO,
	       ARG_STRADDLE, ARG_NULL };

/*
 * How a modern command's argument is passed: usually as it is, sometimes
 * longer than this header's structure (with a zero tail, or a dirty one the
 * kernel must refuse), shorter (never shorter than @min_short, so that the
 * output the caller needs is there), or where the kernel cannot write or
 * read it.  ret is the ioctl's result; must_fail says whether the way it was
 * passed alone makes success wrong; exact whether the kernel saw all of
 * what the caller built (else an invalid field may have been cut off); out
 * whether the caller's structure holds the output.  A shortened structure
 * is zero-extended: the caller's copy is cut the same way.
 */
struct call {
	long ret;
	bool must_fail;
	bool exact;
	bool out;
};

static struct call modern(struct thr *t, const char *name, int fd,
			  unsigned long cmd, void *arg, size_t len,
			  size_t min_short, bool writes_back)
{
	struct call c = { .exact = true, .out = true };
	enum argmode mode = ARG_OK;
	size_t usize = len;
	char *p = t->argbuf;
	int r = rnd(t, 100);

	if (r >= 84 && r < 88)
		mode = ARG_BIG;
	else if (r >= 88 && r < 90)
		mode = ARG_BIG_DIRTY;
	else if (r >= 90 && r < 93 && min_short < len)
		mode = ARG_SHORT;
	else if (r >= 93 && r < 95 && writes_back)
		mode = ARG_RO;
	else if (r >= 95 && r < 98)
		mode = ARG_STRADDLE;
	else if (r >= 98)
		mode = ARG_NULL;

	memset(p, 0, 2 * page);
	switch (mode) {
	case ARG_OK:
		memcpy(p, arg, len);
		break;
	case ARG_BIG:
	case ARG_BIG_DIRTY:
		usize = len + 8 * (1 + rnd(t, 8));
		memcpy(p, arg, len);
		if (mode == ARG_BIG_DIRTY) {
			p[len + rnd(t, usize - len)] = 1 + rnd(t, 255);
			c.must_fail = true;
		}
		break;
	case ARG_SHORT:
		usize = min_short + rnd(t, len - min_short);
		memcpy(p, arg, usize);
		c.exact = false;
		break;
	case ARG_RO:
		p = t->argbuf + 3 * page;
		mprotect(p, page, PROT_READ | PROT_WRITE);
		memcpy(p, arg, len);
		mprotect(p, page, PROT_READ);
		c.must_fail = true;
		c.out = false;
		break;
	case ARG_STRADDLE:
		/* The end runs into the inaccessible page. */
		p = t->argbuf + 2 * page - 1 - rnd(t, len - 1);
		memcpy(p, arg, t->argbuf + 2 * page - p);
		c.must_fail = true;
		c.out = false;
		break;
	case ARG_NULL:
		p = (char *)16;
		c.must_fail = true;
		c.out = false;
		break;
	}
	cmd = (cmd & ~((unsigned long)_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
	      ((unsigned long)usize << _IOC_SIZESHIFT);
	c.ret = xioctl(t, name, fd, cmd, p, mode, usize);
	if (c.out) {
		memcpy(arg, p, mode == ARG_SHORT ? usize : len);
		if (mode == ARG_SHORT)
			memset((char *)arg + usize, 0, len - usize);
	}
	return c;
}

/* Report success where the input alone means failure. */
static void expect_fail(struct thr *t, const char *what, long ret, bool must_fail)
{
	const struct oprec *r = t->last;

	if (must_fail && ret == 0)
		unexpected(t, "%s succeeded on invalid input (%s %#llx %#llx %#llx %#llx)",
			   what, r->op, r->a[0], r->a[1], r->a[2], r->a[3]);
}

/* The same for a modern command: @invalid counts if the kernel saw it all. */
static void expect_fail_c(struct thr *t, const char *what, const struct call *c,
			  bool invalid)
{
	expect_fail(t, what, c->ret, c->must_fail || (c->exact && invalid));
}

/*
 * A shared read-only mapping must work, also of a file open read-only: the
 * kernel clears VM_SHARED (not VM_MAYSHARE) for those.  A writable one of
 * a read-only file must not.  Maps @len bytes of @fd at @off and checks
 * that the first @zero_len read as zero.
 */
static void check_ro_map(struct thr *t, const char *what, int fd, __u64 off,
			 __u64 len, __u64 zero_len, bool rdonly)
{
	struct oprec *r;
	void *p;
	__u64 i;

	r = oplog(t, "mmap-ro-check", fd, off, len, PROT_READ);
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, off);
	opres(r, p == MAP_FAILED ? -1 : 0);
	if (p == MAP_FAILED) {
		if (errno != ENOMEM && errno != EAGAIN && errno != EINTR)
			unexpected(t, "mmap(PROT_READ, MAP_SHARED) of %s: %s",
				   what, strerror(errno));
		return;
	}
	for (i = 0; i < zero_len; i += page) {
		const unsigned char *b = (const unsigned char *)p + i;

		if (b[0] || b[page - 1]) {
			unexpected(t, "new %s not zeroed at %#llx", what,
				   (unsigned long long)i);
			break;
		}
	}
	munmap(p, len);
	if (!rdonly)
		return;
	r = oplog(t, "mmap-rw-on-ro", fd, off, len, PROT_WRITE);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	opres(r, p == MAP_FAILED ? -1 : 0);
	if (p != MAP_FAILED) {
		unexpected(t, "writable shared mapping of read-only %s", what);
		munmap(p, len);
	}
}

/* ---- /dev/rgnmm ---- */

static void op_open(struct thr *t)
{
	static const enum kind k[] = { K_RGNMM, K_MMNGR, K_BUFDEV, K_VGEM };
	enum kind kind = k[rnd(t, have_vgem ? 4 : 3)];
	const char *path = kind == K_RGNMM ? "/dev/rgnmm" :
			   kind == K_MMNGR ? "/dev/mmngr" : "/dev/rgnmmbuf";
	bool rdonly = kind == K_MMNGR && chance(t, 25);
	struct oprec *r;
	int fd;

	if (kind == K_VGEM)
		path = vgem_path;
	r = oplog(t, "open", kind, rdonly, 0, 0);
	fd = opres(r, open(path, (rdonly ? O_RDONLY : O_RDWR) | O_CLOEXEC));
	add_fd(kind, fd, rdonly, false, 0);
}

/* Close a file, or unmap or forget an object; racy: under other users. */
static void op_close(struct thr *t, bool racy)
{
	struct obj o;
	int s = racy ? pick_fd(t, &o) : pick(t, rnd(t, 2) ? K_MAP : K_DMABUF, &o);

	if (s < 0 && !racy)
		s = pick_fd(t, &o);
	if (s < 0)
		return;
	opres(oplog(t, racy ? "close-racy" : "close", s, o.kind, o.fd, 0), 0);
	kill_obj(s);
	/* Its number stays taken until nobody uses it: no reuse under them. */
	if (racy && is_fd_kind(o.kind))
		dup2(placeholder, o.fd);
}

static unsigned int rgnmm_flag(struct thr *t, bool *valid)
{
	static const unsigned int ok[] = {
		MM_KERNELHEAP, MM_KERNELHEAP_CACHED, MM_CARVEOUT, MM_CARVEOUT_SSP,
		MM_LOSSY_FLAG(1), MM_LOSSY_FLAG(2), MM_LOSSY_FLAG(3),
	};
	static const unsigned int bad[] = {
		2, 6, MM_LOSSY_FLAG(0), MM_LOSSY_FLAG(4), 0x1000, ~0U,
	};

	*valid = !chance(t, 8);
	return *valid ? ok[rnd(t, ARRAY_SIZE(ok))] : bad[rnd(t, ARRAY_SIZE(bad))];
}

static void op_rgnmm(struct thr *t)
{
	struct MM_PARAM p;
	struct MM_CACHE_PARAM cp;
	struct obj o, m;
	bool valid, heap, mf, null;
	long ret;
	int s, what = rnd(t, 9);

	s = pick(t, K_RGNMM, &o);
	if (s < 0)
		return;
	memset(&p, 0, sizeof(p));
	switch (what) {
	case 0:
	case 1:
		p.flag = rgnmm_flag(t, &valid);
		p.size = rand_size(t);
		heap = p.flag == MM_KERNELHEAP || p.flag == MM_KERNELHEAP_CACHED;
		if (chance(t, 5)) {
			heap = !heap;
			valid = false;
		}
		mf = !valid || !p.size;
		ret = xioctl(t, heap ? "MM_IOC_ALLOC" : "MM_IOC_ALLOC_CO", o.fd,
			     heap ? MM_IOC_ALLOC : MM_IOC_ALLOC_CO, &p, p.flag, p.size);
		expect_fail(t, "MM_IOC_ALLOC", ret, mf && intact(t));
		break;
	case 2:
		xioctl(t, "MM_IOC_FREE", o.fd, rnd(t, 2) ? MM_IOC_FREE : MM_IOC_FREE_CO,
		       chance(t, 10) ? NULL : &p, 0, 0);
		break;
	case 3:
		p.user_virt_addr = rnd64(t);
		xioctl(t, "MM_IOC_SET", o.fd, MM_IOC_SET, &p, 0, 0);
		xioctl(t, "MM_IOC_GET", o.fd, MM_IOC_GET, chance(t, 5) ? NULL : &p, 0, 0);
		if (p.kernel_virt_addr || p.phy_addr)
			unexpected(t, "MM_IOC_GET disclosed an address");
		break;
	case 4:
		/* Share part of somebody's buffer. */
		if (pick(t, K_HANDLE, &m) >= 0) {
			p.phy_addr = m.dev_addr + pages(rnd(t, 3)) + rnd(t, 2) * rnd(t, page);
			p.size = rnd(t, 4) ? 1 + rnd(t, m.size) : rand_size(t);
		} else {
			p.phy_addr = rnd64(t) & 0xffffffffULL;
			p.size = rand_size(t);
		}
		ret = xioctl(t, "MM_IOC_SHARE", o.fd, MM_IOC_SHARE, &p, p.phy_addr, p.size);
		expect_fail(t, "MM_IOC_SHARE of size 0", ret, !p.size);
		break;
	case 5:
		cp.offset = rnd(t, 10) ? rnd(t, 2 * MiB) : (size_t)-1;
		cp.len = rnd(t, 10) ? rnd(t, 2 * MiB) : (size_t)-1;
		null = chance(t, 5);
		mf = cp.offset + cp.len < cp.offset || null;
		ret = xioctl(t, "MM_IOC_FLUSH/INVAL", o.fd,
			     rnd(t, 2) ? MM_IOC_FLUSH : MM_IOC_INVAL,
			     null ? NULL : &cp, cp.offset, cp.len);
		expect_fail(t, "MM_IOC_FLUSH/INVAL of a wrapping range", ret, mf);
		break;
	case 6:
		if (pick(t, K_MAP, &m) >= 0)
			p.user_virt_addr = (unsigned long)m.addr + rnd(t, m.size + page);
		else
			p.user_virt_addr = rnd64(t);
		xioctl(t, "MM_IOC_VTOP", o.fd, MM_IOC_VTOP, &p, p.user_virt_addr, 0);
		break;
	case 7: {
		__u64 len = pages(1 + rnd(t, 8)), off = pages(rnd(t, 3) ? 0 : rnd(t, 4));
		int prot = rnd(t, 3) ? PROT_READ | PROT_WRITE : PROT_READ;
		struct oprec *r = oplog(t, "mmap-rgnmm", o.fd, off, len, prot);
		void *a = mmap(NULL, len, prot, chance(t, 5) ? MAP_PRIVATE : MAP_SHARED,
			       o.fd, off);

		opres(r, a == MAP_FAILED ? -1 : 0);
		if (a != MAP_FAILED)
			add_map(a, len, prot);
		break;
	}
	default:
		ret = xioctl(t, "rgnmm-unknown", o.fd,
			     _IOWR('m', 10 + rnd(t, 0x30), struct MM_PARAM), &p, 0, 0);
		expect_fail(t, "unknown /dev/rgnmm command", ret, true);
		break;
	}
}

/* ---- /dev/mmngr ---- */

static int pool_with_pages(struct thr *t)
{
	int i, start = rnd(t, npools ? npools : 1);

	for (i = 0; i < npools; i++)
		if (pools[(start + i) % npools].caching & (1 << MMNGR_CACHING_CACHED))
			return (start + i) % npools;
	return -1;
}

static bool alloc_valid(__u32 pool, __u64 size, __u64 align, __u32 caching)
{
	return size && size <= (4ULL << 30) && pool < (__u32)npools && caching <= 2 &&
	       !(align & (align - 1));
}

/* Allocation arguments, valid or not; whether they are. */
static bool rand_alloc(struct thr *t, __u32 *pool, __u64 *size, __u64 *align,
		       __u32 *caching, __u64 max)
{
	static const __u64 aligns[] = { 0, 0, 0, 1, 4096, 8192, 65536, 1 << 20 };

	*size = rand_size(t);
	if (*size > max && rnd(t, 2))
		*size = pages(1);
	*pool = rnd(t, 12) ? rnd(t, npools ? npools : 1) : npools + rnd(t, 100);
	*align = rnd(t, 20) ? aligns[rnd(t, ARRAY_SIZE(aligns))] : 3 + rnd(t, 4096);
	*caching = rnd(t, 25) ? rnd(t, 3) : 3 + rnd(t, 100);
	return alloc_valid(*pool, *size, *align, *caching);
}

static void op_mmngr(struct thr *t)
{
	struct obj o, h;
	struct call c;
	bool valid;
	int s, what = rnd(t, 8);

	s = pick(t, K_MMNGR, &o);
	if (s < 0)
		return;
	switch (what) {
	case 0: {
		struct mmngr_pool_info pi = { .index = rnd(t, npools + 3) };

		if (chance(t, 5))
			pi.index = 64 + rnd(t, 1000);
		valid = pi.index < (__u32)npools;
		if (chance(t, 4)) {
			pi.reserved[rnd(t, 4)] = 1 + rnd(t, 100);
			valid = false;
		}
		c = modern(t, "MMNGR_IOCTL_POOL_INFO", o.fd, MMNGR_IOCTL_POOL_INFO,
			   &pi, sizeof(pi), 4, true);
		/* Cut short, the index is still there. */
		expect_fail(t, "MMNGR_IOCTL_POOL_INFO", c.ret, c.must_fail ||
			    (c.exact && !valid) || pi.index >= (__u32)npools);
		break;
	}
	case 1:
	case 2: {
		struct mmngr_alloc a = { 0 };

		valid = rand_alloc(t, &a.pool, &a.size, &a.align, &a.caching, ~0ULL);
		if (chance(t, 3)) {
			a.flags = 1U << rnd(t, 32);
			valid = false;
		}
		if (chance(t, 3)) {
			a.reserved[rnd(t, 2)] = 1;
			valid = false;
		}
		c = modern(t, "MMNGR_IOCTL_ALLOC", o.fd, MMNGR_IOCTL_ALLOC, &a,
			   sizeof(a), offsetof(struct mmngr_alloc, dev_addr), true);
		expect_fail_c(t, "MMNGR_IOCTL_ALLOC", &c, !valid);
		if (c.ret || !c.out)
			break;
		if (!a.handle || a.mmap_offset != (__u64)a.handle << 32)
			unexpected(t, "MMNGR_IOCTL_ALLOC: handle %u, mmap offset %#llx",
				   a.handle, (unsigned long long)a.mmap_offset);
		add_child(K_HANDLE, s, a.handle, page_align(a.size), a.dev_addr);
		break;
	}
	case 3: {
		struct mmngr_free fr = { 0 };
		int hs = pick(t, K_HANDLE, &h);

		if (hs >= 0 && h.parent == s && rnd(t, 8))
			fr.handle = h.id;
		else
			fr.handle = rnd(t, 4);
		valid = fr.handle;
		if (chance(t, 3)) {
			fr.reserved = 1;
			valid = false;
		}
		c = modern(t, "MMNGR_IOCTL_FREE", o.fd, MMNGR_IOCTL_FREE, &fr,
			   sizeof(fr), 4, false);
		expect_fail_c(t, "MMNGR_IOCTL_FREE", &c, !valid);
		if (hs >= 0 && h.parent == s && fr.handle == h.id)
			kill_obj(hs);
		break;
	}
	case 4: {
		struct mmngr_sync sy = { 0 };

		if (pick(t, K_HANDLE, &h) >= 0 && h.parent == s) {
			sy.handle = h.id;
			sy.offset = rnd(t, 4) ? 0 : rnd(t, h.size);
			sy.len = rnd(t, 4) ? h.size - sy.offset : rnd(t, 2 * h.size);
		} else {
			sy.handle = rnd(t, 4);
			sy.len = rand_size(t);
		}
		sy.flags = rnd(t, 10) ? (rnd(t, 2) ? MMNGR_SYNC_END : 0) | (1 + rnd(t, 3)) :
		       rnd(t, 64);
		if (chance(t, 3))
			sy.reserved = 1;
		if (chance(t, 3))
			sy.offset = ~0ULL - rnd(t, 16);
		valid = sy.handle && !sy.reserved && sy.len && (sy.flags & MMNGR_SYNC_RW) &&
			!(sy.flags & ~7U) && sy.offset + sy.len >= sy.offset;
		c = modern(t, "MMNGR_IOCTL_SYNC", o.fd, MMNGR_IOCTL_SYNC, &sy,
			   sizeof(sy), 8, false);
		expect_fail_c(t, "MMNGR_IOCTL_SYNC", &c, !valid);
		break;
	}
	case 5: {
		__u64 off, len;
		int prot = rnd(t, 3) ? PROT_READ | PROT_WRITE : PROT_READ;
		struct oprec *r;
		void *a;

		if (pick(t, K_HANDLE, &h) < 0 || h.parent != s)
			break;
		off = rnd(t, 4) ? 0 : pages(rnd(t, h.size / page + 1));
		len = rnd(t, 4) ? h.size - off : pages(1 + rnd(t, 16));
		if (!len)
			len = page;
		if (o.rdonly)
			prot = PROT_READ;
		r = oplog(t, "mmap-mmngr", o.fd, h.id, off, len);
		a = mmap(NULL, len, prot, chance(t, 5) ? MAP_PRIVATE : MAP_SHARED, o.fd,
			 ((__u64)h.id << 32) + off);
		opres(r, a == MAP_FAILED ? -1 : 0);
		if (a != MAP_FAILED)
			add_map(a, len, prot);
		break;
	}
	case 6: {
		/* Read-only /dev/mmngr of our own: its buffers map for reading. */
		struct mmngr_alloc a = { .size = pages(1 + rnd(t, 4)) };
		struct oprec *r;
		int fd, pi = pool_with_pages(t);

		if (pi < 0)
			break;
		a.pool = pi;
		a.caching = rnd(t, 3);
		r = oplog(t, "open-mmngr-ro", 0, 0, 0, 0);
		fd = opres(r, open("/dev/mmngr", O_RDONLY | O_CLOEXEC));
		if (fd < 0)
			break;
		if (!xioctl(t, "MMNGR_IOCTL_ALLOC", fd, MMNGR_IOCTL_ALLOC, &a, a.pool, a.size))
			check_ro_map(t, "buffer of a read-only /dev/mmngr", fd,
				     a.mmap_offset, a.size, a.size, true);
		close(fd);
		break;
	}
	default:
		c.ret = xioctl(t, "mmngr-unknown", o.fd,
			       _IOWR('m', rnd(t, 2) ? rnd(t, 0x40) : 0x44 + rnd(t, 0x40),
				     struct mmngr_alloc), t->argbuf, 0, 0);
		expect_fail(t, "unknown /dev/mmngr command", c.ret, true);
		break;
	}
}

/* ---- /dev/rgnmmbuf ---- */

static __u32 rand_fd_flags(struct thr *t, bool *valid, bool *rdonly)
{
	static const __u32 ok[] = {
		O_RDWR | O_CLOEXEC, O_RDONLY | O_CLOEXEC, O_RDWR, O_RDONLY,
	};
	static const __u32 bad[] = { O_WRONLY, O_RDWR | O_NONBLOCK, O_ACCMODE, ~0U };
	__u32 f;

	*valid = !chance(t, 6);
	f = *valid ? ok[rnd(t, ARRAY_SIZE(ok))] : bad[rnd(t, ARRAY_SIZE(bad))];
	*rdonly = (f & O_ACCMODE) == O_RDONLY;
	return f;
}

/*
 * A new dma-buf of ours: check what a correct driver gives, then keep it.
 * Its size is at least what was asked for, in pages (an aligned buffer
 * may be larger).
 */
static void new_dmabuf(struct thr *t, const char *what, int fd, __u64 want,
		       bool rdonly, bool fresh)
{
	off_t size = lseek(fd, 0, SEEK_END);
	char buf[96];

	if (size <= 0 || size % page || (__u64)size < want) {
		unexpected(t, "%s: dma-buf of %lld bytes, at least %llu expected", what,
			   (long long)size, (unsigned long long)want);
		close(fd);
		return;
	}
	snprintf(buf, sizeof(buf), "%s dma-buf%s", rdonly ? "read-only" : "read-write",
		 fresh ? " of new memory" : "");
	if (rdonly || fresh)
		check_ro_map(t, buf, fd, 0, size, fresh ? size : 0, rdonly);
	add_fd(K_DMABUF, fd, rdonly, true, size);
}

static void op_export(struct thr *t, struct obj *b)
{
	struct mmngrbuf_export e = { 0 };
	struct obj h, m;
	bool valid, rdonly;
	struct call c;

	if (pick(t, K_HANDLE, &h) < 0)
		return;
	m = objs[h.parent];
	e.mmngr_fd = chance(t, 4) ? b->fd : m.fd;
	e.handle = chance(t, 4) ? rnd(t, 3) : h.id;
	e.fd_flags = rand_fd_flags(t, &valid, &rdonly);
	e.offset = rnd(t, 3) ? 0 : rnd(t, 8) ? pages(rnd(t, h.size / page + 1)) : 123;
	e.size = rnd(t, 3) ? 0 : rnd(t, 4) ? pages(1 + rnd(t, h.size / page)) : rnd64(t);
	if (chance(t, 3)) {
		e.fd = 1 + rnd(t, 10);
		valid = false;
	}
	if (chance(t, 3)) {
		e.reserved[rnd(t, 2)] = 1;
		valid = false;
	}
	/*
	 * Nothing that depends on the buffer's size: other threads and
	 * children free handles by number, and numbers are reused.
	 */
	if (e.offset % page || e.mmngr_fd == b->fd || !e.handle)
		valid = false;
	c = modern(t, "MMNGRBUF_IOCTL_EXPORT", b->fd, MMNGRBUF_IOCTL_EXPORT, &e,
		   sizeof(e), offsetof(struct mmngrbuf_export, offset), true);
	expect_fail_c(t, "MMNGRBUF_IOCTL_EXPORT", &c, !valid);
	if (c.ret || !c.out)
		return;
	if (!intact(t)) {
		add_fd(K_DMABUF, e.fd, rdonly, true, 0);
		return;
	}
	new_dmabuf(t, "MMNGRBUF_IOCTL_EXPORT", e.fd, e.size ? page_align(e.size) : 0,
		   rdonly, false);
}

static void op_bufalloc(struct thr *t, struct obj *b)
{
	struct mmngrbuf_alloc a = { 0 };
	bool valid, fvalid, rdonly;
	struct call c;
	struct obj m;
	int ms = pick(t, K_MMNGR, &m);

	valid = rand_alloc(t, &a.pool, &a.size, &a.align, &a.caching, 16 * MiB);
	a.mmngr_fd = ms >= 0 && rnd(t, 10) ? m.fd : b->fd;
	if (a.mmngr_fd == b->fd)
		valid = false;
	a.fd_flags = rand_fd_flags(t, &fvalid, &rdonly);
	if (chance(t, 3)) {
		a.fd = 1 + rnd(t, 10);
		valid = false;
	}
	if (chance(t, 3)) {
		a.reserved0 = 1;
		valid = false;
	}
	if (chance(t, 3)) {
		a.dev_addr = 1;
		valid = false;
	}
	c = modern(t, "MMNGRBUF_IOCTL_ALLOC", b->fd, MMNGRBUF_IOCTL_ALLOC, &a,
		   sizeof(a), offsetof(struct mmngrbuf_alloc, dev_addr), true);
	expect_fail_c(t, "MMNGRBUF_IOCTL_ALLOC", &c, !valid || !fvalid);
	if (c.ret || !c.out)
		return;
	new_dmabuf(t, "MMNGRBUF_IOCTL_ALLOC", a.fd, page_align(a.size), rdonly, true);
}

static void op_import(struct thr *t, struct obj *b, int bs)
{
	struct mmngrbuf_import im;
	struct obj d;
	struct call c;
	int i, n = rnd(t, 3) ? 1 : 2 + rnd(t, 10);
	bool valid, isbuf = rnd(t, 12);
	int ds = isbuf ? pick(t, K_DMABUF, &d) : pick_fd(t, &d);

	if (ds < 0)
		return;
	isbuf = d.kind == K_DMABUF;
	for (i = 0; i < n; i++) {
		memset(&im, 0, sizeof(im));
		im.fd = d.fd;
		valid = isbuf;
		if (chance(t, 2)) {
			im.flags = 1;
			valid = false;
		}
		if (chance(t, 2)) {
			im.reserved[1] = 1;
			valid = false;
		}
		c = modern(t, "MMNGRBUF_IOCTL_IMPORT", b->fd, MMNGRBUF_IOCTL_IMPORT,
			   &im, sizeof(im), offsetof(struct mmngrbuf_import, reserved), true);
		expect_fail_c(t, "MMNGRBUF_IOCTL_IMPORT", &c, !valid && intact(t));
		if (c.ret || !c.out)
			continue;
		if (!im.handle)
			unexpected(t, "MMNGRBUF_IOCTL_IMPORT: handle 0");
		else if (d.ours && intact(t) && im.size != d.size)
			unexpected(t, "MMNGRBUF_IOCTL_IMPORT: size %llu of a %llu-byte dma-buf",
				   (unsigned long long)im.size, (unsigned long long)d.size);
		/*
		 * Every mapping of a buffer costs each CPU access to it: keep
		 * their number bounded, so that a round runs its ops.
		 */
		if (add_child(K_IMPORT, bs, im.handle, im.size, im.dev_addr) < 0) {
			struct mmngrbuf_import_release rl = { .handle = im.handle };

			xioctl(t, "MMNGRBUF_IOCTL_IMPORT_RELEASE", b->fd,
			       MMNGRBUF_IOCTL_IMPORT_RELEASE, &rl, rl.handle, 0);
		}
	}
}

static void op_import_release(struct thr *t, struct obj *b, int bs)
{
	struct mmngrbuf_import_release rl = { 0 };
	struct obj im;
	struct call c;
	int is = pick(t, K_IMPORT, &im);

	rl.handle = is >= 0 && im.parent == bs && rnd(t, 8) ? im.id : rnd(t, 4);
	if (chance(t, 3))
		rl.reserved = 1;
	c = modern(t, "MMNGRBUF_IOCTL_IMPORT_RELEASE", b->fd, MMNGRBUF_IOCTL_IMPORT_RELEASE,
		   &rl, sizeof(rl), 4, false);
	expect_fail_c(t, "MMNGRBUF_IOCTL_IMPORT_RELEASE", &c, !rl.handle || rl.reserved);
	if (is >= 0 && im.parent == bs && rl.handle == im.id)
		kill_obj(is);
}

static __u32 rand_timeout(struct thr *t)
{
	int r = rnd(t, 100);

	if (r < 3)
		return 0;	/* the module's default: 10 s */
	if (r < 45)
		return 1 + rnd(t, 20);
	if (r < 85)
		return 20 + rnd(t, 480);
	if (r < 96)
		return 500 + rnd(t, 2500);
	return MMNGRBUF_FENCE_TIMEOUT_MAX_MS + 1 + rnd(t, 1000);
}

static void op_fence_attach(struct thr *t, struct obj *b, int bs)
{
	struct mmngrbuf_fence_attach a = { 0 };
	bool valid = true, fdbad = false, isbuf = rnd(t, 20);
	struct obj d;
	struct call c;
	int ds = isbuf ? pick(t, K_DMABUF, &d) : pick_fd(t, &d);

	if (ds < 0)
		return;
	isbuf = d.kind == K_DMABUF;
	a.fd = d.fd;
	a.flags = rnd(t, 4);
	if (chance(t, 3)) {
		a.flags |= 4U << rnd(t, 28);
		valid = false;
	}
	a.timeout_ms = rand_timeout(t);
	if (a.timeout_ms > MMNGRBUF_FENCE_TIMEOUT_MAX_MS)
		valid = false;
	if (chance(t, 2)) {
		a.fence = 1;
		valid = false;
	}
	if (chance(t, 2)) {
		a.sync_file = 1;
		valid = false;
	}
	/* A write fence needs a dma-buf open for writing (the uapi says so). */
	if (!isbuf || (d.rdonly && (a.flags & MMNGRBUF_FENCE_WRITE)))
		fdbad = true;
	if (chance(t, 2)) {
		a.reserved[0] = 1;
		valid = false;
	}
	c = modern(t, "MMNGRBUF_IOCTL_FENCE_ATTACH", b->fd, MMNGRBUF_IOCTL_FENCE_ATTACH,
		   &a, sizeof(a), offsetof(struct mmngrbuf_fence_attach, reserved0), true);
	expect_fail(t, "MMNGRBUF_IOCTL_FENCE_ATTACH", c.ret, c.must_fail ||
		    (c.exact && !valid) || (fdbad && intact(t)));
	if (c.ret || !c.out)
		return;
	if (!a.fence || (!(a.flags & MMNGRBUF_FENCE_SYNC_FILE) && a.sync_file != -1) ||
	    ((a.flags & MMNGRBUF_FENCE_SYNC_FILE) && a.sync_file < 0))
		unexpected(t, "MMNGRBUF_IOCTL_FENCE_ATTACH: fence %u, sync_file %d",
			   a.fence, a.sync_file);
	add_child(K_FENCE, bs, a.fence, 0, 0);
	if (a.sync_file >= 0)
		add_fd(K_SYNCFILE, a.sync_file, false, false, 0);
}

static int rand_fence_error(struct thr *t, bool *valid)
{
	static const int ok[] = { 0, 0, 0, -EIO, -ECANCELED, -ETIMEDOUT, -4095 };
	static const int bad[] = { 1, 4096, -4096, -100000, 0x7fffffff };

	*valid = !chance(t, 5);
	return *valid ? ok[rnd(t, ARRAY_SIZE(ok))] : bad[rnd(t, ARRAY_SIZE(bad))];
}

static void op_fence_signal(struct thr *t, struct obj *b, int bs)
{
	struct mmngrbuf_fence_signal sg = { 0 };
	struct obj f;
	struct call c;
	bool valid;
	int fs = pick(t, K_FENCE, &f);

	/* Predictable numbers: the lowest free one is the next. */
	sg.fence = fs >= 0 && f.parent == bs && rnd(t, 4) ? f.id : rnd(t, 5);
	sg.error = rand_fence_error(t, &valid);
	if (chance(t, 3)) {
		sg.reserved = 1;
		valid = false;
	}
	c = modern(t, "MMNGRBUF_IOCTL_FENCE_SIGNAL", b->fd, MMNGRBUF_IOCTL_FENCE_SIGNAL,
		   &sg, sizeof(sg), 4, false);
	/* Cut short, the number is still there. */
	expect_fail(t, "MMNGRBUF_IOCTL_FENCE_SIGNAL", c.ret,
		    c.must_fail || (c.exact && !valid) || !sg.fence);
	if (fs >= 0 && f.parent == bs && sg.fence == f.id)
		kill_obj(fs);
}

struct race {
	int fd;
	int stop;	/* __atomic */
	__u64 rng;
	unsigned long n;
	unsigned long hits;
};

/* Signal the lowest fence numbers as fast as possible. */
static void *race_signaller(void *arg)
{
	struct race *r = arg;
	struct mmngrbuf_fence_signal sg;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		memset(&sg, 0, sizeof(sg));
		sg.fence = 1 + splitmix(&r->rng) % 3;
		r->hits += !ioctl(r->fd, MMNGRBUF_IOCTL_FENCE_SIGNAL, &sg);
		r->n++;
	}
	return NULL;
}

/*
 * Attach fences with short timeouts while a second thread signals the
 * numbers they are about to get: a fence must never be used after the
 * file has let go of it.  The two threads run on different CPUs, and a
 * fast interval timer interrupts the attaching one at random points, so
 * that the other one also wins races it would only win when the first is
 * held up.
 */
static void op_fence_race(struct thr *t)
{
	struct race r = { .rng = rnd64(t) };
	struct mmngrbuf_fence_attach a;
	struct mmngrbuf_fence_signal sg;
	int i, n = 32 + rnd(t, 480), ok = 0, busy = 0, cpu;
	struct itimerval it = { 0 };
	bool pinned = false;
	sigset_t alrm;
	cpu_set_t mask, one;
	pthread_t th;
	struct obj d, bo;
	const struct obj *b = &bo;

	if (pick(t, K_BUFDEV, &bo) < 0 || pick(t, K_DMABUF, &d) < 0)
		return;
	r.fd = b->fd;
	oplog(t, "fence-race", b->fd, d.fd, n, 0);
	if (pthread_create(&th, NULL, race_signaller, &r))
		return;
	/* On two CPUs, so that they really run at the same time. */
	if (ncpus > 1 && !sched_getaffinity(0, sizeof(mask), &mask)) {
		cpu = rnd(t, ncpus);
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		sched_setaffinity(0, sizeof(one), &one);
		CPU_ZERO(&one);
		CPU_SET((cpu + 1) % ncpus, &one);
		pthread_setaffinity_np(th, sizeof(one), &one);
		pinned = true;
	}
	it.it_interval.tv_usec = 100 + rnd(t, 900);
	it.it_value = it.it_interval;
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_UNBLOCK, &alrm, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	for (i = 0; i < n && !__atomic_load_n(&stop, __ATOMIC_RELAXED); i++) {
		memset(&a, 0, sizeof(a));
		a.fd = d.fd;
		a.flags = chance(t, 10) && !d.rdonly ? MMNGRBUF_FENCE_WRITE : 0;
		a.timeout_ms = 1 + rnd(t, 3);
		if (!ioctl(b->fd, MMNGRBUF_IOCTL_FENCE_ATTACH, &a))
			ok++;
		else if (errno == EBUSY && ++busy > 8)
			break;	/* a long write fence is in the way */
	}
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	pthread_sigmask(SIG_BLOCK, &alrm, NULL);
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	if (pinned)
		sched_setaffinity(0, sizeof(mask), &mask);
	oplog(t, "fence-race-done", i, ok, r.n, r.hits);
	__atomic_add_fetch(&race_attached, ok, __ATOMIC_RELAXED);
	__atomic_add_fetch(&race_signalled, r.hits, __ATOMIC_RELAXED);
	/* Timed-out fences count against the file's limit until collected. */
	for (i = 1; i <= n + 8; i++) {
		memset(&sg, 0, sizeof(sg));
		sg.fence = i;
		ioctl(b->fd, MMNGRBUF_IOCTL_FENCE_SIGNAL, &sg);
	}
}

/* The Renesas commands of /dev/rgnmmbuf. */
static void op_rgnmmbuf(struct thr *t, struct obj *b)
{
	struct MM_BUF_PARAM p = { 0 };
	struct obj h, d;
	long ret;

	switch (rnd(t, 5)) {
	case 0:
		if (pick(t, K_HANDLE, &h) >= 0) {
			p.hard_addr = h.dev_addr + pages(rnd(t, 2));
			p.size = rnd(t, 4) ? h.size : rand_size(t);
		} else {
			p.hard_addr = rnd64(t);
			p.size = rand_size(t);
		}
		ret = xioctl(t, "MM_IOC_EXPORT_START", b->fd, MM_IOC_EXPORT_START, &p,
			     p.hard_addr, p.size);
		expect_fail(t, "MM_IOC_EXPORT_START of size 0", ret, !p.size);
		if (!ret)
			add_fd(K_DMABUF, p.buf, false, true, page_align(p.size));
		break;
	case 1:
		/* Hands back the number; the dma-buf stays ours. */
		xioctl(t, "MM_IOC_EXPORT_END", b->fd, MM_IOC_EXPORT_END, &p, 0, 0);
		break;
	case 2:
		p.buf = pick(t, K_DMABUF, &d) >= 0 ? d.fd : -1;
		ret = xioctl(t, "MM_IOC_IMPORT_START", b->fd, MM_IOC_IMPORT_START, &p,
			     p.buf, 0);
		expect_fail(t, "MM_IOC_IMPORT_START of fd -1", ret, p.buf < 0);
		break;
	case 3:
		xioctl(t, "MM_IOC_IMPORT_END", b->fd, MM_IOC_IMPORT_END, &p, 0, 0);
		break;
	default:
		ret = xioctl(t, "rgnmmbuf-unknown", b->fd,
			     rnd(t, 2) ? _IOWR('d', 0x46 + rnd(t, 0x30), struct MM_BUF_PARAM) :
			     _IOWR('d', rnd(t, 4), struct mmngr_sync), t->argbuf, 0, 0);
		expect_fail(t, "unknown /dev/rgnmmbuf command", ret, true);
		break;
	}
}

static void op_bufdev(struct thr *t)
{
	struct obj b;
	int bs = pick(t, K_BUFDEV, &b);

	if (bs < 0)
		return;
	switch (rnd(t, 10)) {
	case 0:
		op_export(t, &b);
		break;
	case 1:
		op_bufalloc(t, &b);
		break;
	case 2:
	case 3:
		op_import(t, &b, bs);
		break;
	case 4:
		op_import_release(t, &b, bs);
		break;
	case 5:
	case 6:
		op_fence_attach(t, &b, bs);
		break;
	case 7:
		op_fence_signal(t, &b, bs);
		break;
	default:
		op_rgnmmbuf(t, &b);
		break;
	}
}

/* ---- /dev/dma_heap/mmngr-* ---- */

/*
 * DMA_HEAP_IOCTL_ALLOC on one of our heap nodes, as upstream's ABI has it:
 * fd and heap_flags must be zero, fd_flags only O_CLOEXEC and an access
 * mode, len neither zero nor more than any pool holds.
 */
static void op_heap(struct thr *t)
{
	static const __u32 bad_fd_flags[] = { O_RDWR | O_NONBLOCK, O_RDWR | O_APPEND, ~0U };
	struct dma_heap_allocation_data d = { 0 };
	bool valid = true, rdonly;
	struct oprec *r;
	int heap;
	long ret;

	if (!nheaps)
		return;
	d.len = rnd(t, 4) ? 1 + rnd(t, 4 * MiB) : rnd(t, 64 * MiB);
	if (!d.len)
		valid = false;
	if (chance(t, 10)) {
		d.len = chance(t, 2) ? ~0ULL - rnd(t, page) : 1ULL << 44;
		valid = false;
	}
	rdonly = chance(t, 4);
	d.fd_flags = (rdonly ? O_RDONLY : O_RDWR) | (rnd(t, 2) ? O_CLOEXEC : 0);
	if (chance(t, 8)) {
		d.fd_flags = bad_fd_flags[rnd(t, ARRAY_SIZE(bad_fd_flags))];
		valid = false;
	}
	if (chance(t, 8)) {
		d.heap_flags = 1ULL << rnd(t, 64);
		valid = false;
	}
	if (chance(t, 8)) {
		d.fd = 1 + rnd(t, 10);
		valid = false;
	}
	r = oplog(t, "open-heap", 0, 0, 0, 0);
	heap = opres(r, open(heap_path[rnd(t, nheaps)], O_RDWR | O_CLOEXEC));
	if (heap < 0)
		return;
	ret = xioctl(t, "DMA_HEAP_IOCTL_ALLOC", heap, DMA_HEAP_IOCTL_ALLOC, &d,
		     (long long)d.len, d.fd_flags);
	close(heap);
	expect_fail(t, "DMA_HEAP_IOCTL_ALLOC", ret, !valid);
	if (ret)
		return;
	new_dmabuf(t, "DMA_HEAP_IOCTL_ALLOC", d.fd, (d.len + page - 1) / page * page,
		   rdonly, true);
}

/* ---- dma-bufs and sync_files ---- */

static void op_dmabuf(struct thr *t)
{
	struct dma_buf_sync sy;
	struct obj d, sf;
	char name[64];
	long ret;
	int ds = pick(t, K_DMABUF, &d);

	if (ds < 0)
		return;
	switch (rnd(t, 9)) {
	case 0:
	case 1: {
		__u64 np = d.size / page, off, len;
		bool inside = rnd(t, 6) && np;
		int prot = rnd(t, 2) ? PROT_READ : PROT_READ | PROT_WRITE;
		struct oprec *r;
		void *a;

		off = inside ? pages(rnd(t, np)) : pages(rnd(t, np + 4));
		len = inside ? pages(1 + rnd(t, np - off / page)) : pages(1 + rnd(t, np + 4));
		if (off / page + len / page <= np)
			inside = true;
		r = oplog(t, "mmap-dmabuf", d.fd, off, len, prot);
		a = mmap(NULL, len, prot, MAP_SHARED, d.fd, off);
		opres(r, a == MAP_FAILED ? -1 : 0);
		if (a != MAP_FAILED) {
			if ((!inside || (d.rdonly && (prot & PROT_WRITE))) && intact(t))
				unexpected(t, "%s: [%#llx, +%#llx) prot %d of %llu bytes%s",
					   "mmap of a dma-buf should have failed",
					   (unsigned long long)off, (unsigned long long)len,
					   prot, (unsigned long long)d.size,
					   d.rdonly ? ", read-only" : "");
			add_map(a, len, prot);
		} else if (inside && d.ours && !(d.rdonly && (prot & PROT_WRITE)) &&
			   errno != ENOMEM && errno != EAGAIN && errno != EINTR && intact(t)) {
			unexpected(t, "mmap of a %s dma-buf, [%#llx, +%#llx) prot %d: %s",
				   d.rdonly ? "read-only" : "read-write",
				   (unsigned long long)off, (unsigned long long)len, prot,
				   strerror(errno));
		}
		break;
	}
	case 2:
	case 3: {
		bool valid = rnd(t, 12);
		__u64 rw = 1 + rnd(t, 3);

		memset(&sy, 0, sizeof(sy));
		sy.flags = valid ? DMA_BUF_SYNC_START | rw : rnd(t, 2) ? rnd64(t) & ~7ULL : 0;
		if (!valid && !sy.flags)
			sy.flags = DMA_BUF_SYNC_START;
		ret = xioctl(t, "DMA_BUF_IOCTL_SYNC", d.fd, DMA_BUF_IOCTL_SYNC, &sy, sy.flags, 0);
		expect_fail(t, "DMA_BUF_IOCTL_SYNC", ret, !valid && intact(t));
		if (valid && rnd(t, 4)) {
			sy.flags = DMA_BUF_SYNC_END | rw;
			xioctl(t, "DMA_BUF_IOCTL_SYNC", d.fd, DMA_BUF_IOCTL_SYNC, &sy, sy.flags, 0);
		}
		break;
	}
	case 4:
		snprintf(name, sizeof(name), "fuzz-%llu-%.*s",
			 (unsigned long long)rnd(t, 1000), (int)rnd(t, 40),
			 "0123456789abcdefghijklmnopqrstuvwxyzABCDEF");
		xioctl(t, "DMA_BUF_SET_NAME", d.fd, DMA_BUF_SET_NAME,
		       chance(t, 5) ? NULL : name, 0, 0);
		break;
	case 5: {
		struct pollfd pf = { .fd = d.fd, .events = rnd(t, 2) ? POLLIN : POLLOUT };
		struct oprec *r = oplog(t, "poll-dmabuf", d.fd, pf.events, 0, 0);

		opres(r, poll(&pf, 1, rnd(t, 30)));
		break;
	}
#ifdef DMA_BUF_IOCTL_EXPORT_SYNC_FILE
	case 6: {
		struct dma_buf_export_sync_file es = { .flags = rnd(t, 4), .fd = -1 };

		ret = xioctl(t, "DMA_BUF_IOCTL_EXPORT_SYNC_FILE", d.fd,
			     DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &es, es.flags, 0);
		expect_fail(t, "DMA_BUF_IOCTL_EXPORT_SYNC_FILE", ret, !es.flags && intact(t));
		if (!ret)
			add_fd(K_SYNCFILE, es.fd, false, false, 0);
		break;
	}
	case 7: {
		struct dma_buf_import_sync_file is = { .flags = 1 + rnd(t, 3) };

		if (pick(t, K_SYNCFILE, &sf) < 0)
			break;
		is.fd = sf.fd;
		xioctl(t, "DMA_BUF_IOCTL_IMPORT_SYNC_FILE", d.fd,
		       DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &is, is.flags, sf.fd);
		break;
	}
#endif
	default: {
		char path[64], buf[512];
		struct oprec *r = oplog(t, "fdinfo", d.fd, 0, 0, 0);
		int fd;

		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", d.fd);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		opres(r, fd < 0 ? -1 : read(fd, buf, sizeof(buf)));
		if (fd >= 0)
			close(fd);
		break;
	}
	}
}

static void op_syncfile(struct thr *t)
{
	struct sync_file_info info;
	struct sync_merge_data md;
	struct obj s, s2;
	struct pollfd pf;
	struct oprec *r;

	if (pick(t, K_SYNCFILE, &s) < 0)
		return;
	switch (rnd(t, 3)) {
	case 0:
		memset(&info, 0, sizeof(info));
		xioctl(t, "SYNC_IOC_FILE_INFO", s.fd, SYNC_IOC_FILE_INFO, &info, 0, 0);
		break;
	case 1:
		pf.fd = s.fd;
		pf.events = POLLIN;
		r = oplog(t, "poll-syncfile", s.fd, 0, 0, 0);
		opres(r, poll(&pf, 1, rnd(t, 20)));
		break;
	default:
		if (pick(t, K_SYNCFILE, &s2) < 0)
			break;
		memset(&md, 0, sizeof(md));
		md.fd2 = s2.fd;
		strcpy(md.name, "fuzz");
		if (!xioctl(t, "SYNC_IOC_MERGE", s.fd, SYNC_IOC_MERGE, &md, s2.fd, 0))
			add_fd(K_SYNCFILE, md.fence, false, false, 0);
		break;
	}
}

/* ---- mappings ---- */

static void on_fault(int sig)
{
	if (self && self->in_touch)
		siglongjmp(self->jb, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void op_map(struct thr *t)
{
	unsigned char *b;
	struct oprec *r;
	struct obj m;
	int ms = pick(t, K_MAP, &m), sig;

	if (ms < 0)
		return;
	if (chance(t, 25)) {
		opres(oplog(t, "munmap", (long long)(uintptr_t)m.addr, m.size, 0, 0), 0);
		kill_obj(ms);
		return;
	}
	b = (unsigned char *)m.addr + pages(rnd(t, m.size / page));
	r = oplog(t, "touch", (long long)(uintptr_t)b, m.prot, 0, 0);
	t->in_touch = 1;
	sig = sigsetjmp(t->jb, 1);
	if (!sig) {
		(void)__atomic_load_n(b + rnd(t, page), __ATOMIC_RELAXED);
		if (m.prot & PROT_WRITE)
			__atomic_store_n(b + rnd(t, page), rnd(t, 256), __ATOMIC_RELAXED);
	}
	t->in_touch = 0;
	opres(r, sig ? -sig : 0);
	if (sig)
		unexpected(t, "signal %d touching a mapping at %p", sig, b);
}

/* ---- vgem ---- */

static void op_vgem(struct thr *t)
{
	struct drm_prime_handle ph;
	struct obj v, d, g;
	int vs = pick(t, K_VGEM, &v);

	if (vs < 0)
		return;
	switch (rnd(t, 4)) {
	case 0:
	case 1:
		/* PRIME import of a dma-buf: vgem attaches and maps it. */
		if (pick(t, K_DMABUF, &d) < 0)
			break;
		memset(&ph, 0, sizeof(ph));
		ph.fd = d.fd;
		if (!xioctl(t, "DRM_IOCTL_PRIME_FD_TO_HANDLE", v.fd,
			    DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph, d.fd, 0))
			add_child(K_GEM, vs, ph.handle, d.size, 0);
		break;
	case 2: {
		struct drm_mode_create_dumb cd = {
			.width = 64 * (1 + rnd(t, 16)), .height = 1 + rnd(t, 64), .bpp = 32,
		};

		if (xioctl(t, "DRM_IOCTL_MODE_CREATE_DUMB", v.fd, DRM_IOCTL_MODE_CREATE_DUMB,
			   &cd, cd.width, cd.height))
			break;
		memset(&ph, 0, sizeof(ph));
		ph.handle = cd.handle;
		ph.flags = DRM_CLOEXEC | (rnd(t, 4) ? DRM_RDWR : 0);
		if (!xioctl(t, "DRM_IOCTL_PRIME_HANDLE_TO_FD", v.fd,
			    DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph, cd.handle, 0))
			add_fd(K_DMABUF, ph.fd, !(ph.flags & DRM_RDWR), false, cd.size);
		add_child(K_GEM, vs, cd.handle, cd.size, 0);
		break;
	}
	default: {
		int gs = pick(t, K_GEM, &g);

		if (gs < 0 || g.parent != vs)
			break;
		if (rnd(t, 2)) {
			struct drm_gem_close gc = { .handle = g.id };

			xioctl(t, "DRM_IOCTL_GEM_CLOSE", v.fd, DRM_IOCTL_GEM_CLOSE, &gc, g.id, 0);
			kill_obj(gs);
		} else {
			/* A vgem fence on our buffer, signalled straight away. */
			struct drm_vgem_fence_attach fa = {
				.handle = g.id, .flags = rnd(t, 2) ? VGEM_FENCE_WRITE : 0,
			};
			struct drm_vgem_fence_signal fs = { 0 };

			if (xioctl(t, "DRM_IOCTL_VGEM_FENCE_ATTACH", v.fd,
				   DRM_IOCTL_VGEM_FENCE_ATTACH, &fa, g.id, fa.flags))
				break;
			if (rnd(t, 2))
				usleep(rnd(t, 2000));
			fs.fence = fa.out_fence;
			xioctl(t, "DRM_IOCTL_VGEM_FENCE_SIGNAL", v.fd,
			       DRM_IOCTL_VGEM_FENCE_SIGNAL, &fs, fs.fence, 0);
		}
		break;
	}
	}
}

/* ---- processes ---- */

/*
 * A child inherits every file and mapping, runs a few operations of its own
 * on some of them and exits or is killed with SIGKILL at a random moment.
 */
static void op_fork(struct thr *t)
{
	struct obj b, d, m, h;
	int bfd, dfd, mfd, status, i, n = 1 + rnd(t, 12);
	__u32 handle;
	__u64 crng = rnd64(t);
	struct oprec *r;
	pid_t pid;

	bfd = pick(t, K_BUFDEV, &b) >= 0 ? b.fd : -1;
	dfd = pick(t, K_DMABUF, &d) >= 0 ? d.fd : -1;
	mfd = pick(t, K_HANDLE, &h) >= 0 ? objs[h.parent].fd : -1;
	handle = mfd >= 0 ? h.id : 0;
	(void)m;
	r = oplog(t, "fork", bfd, dfd, mfd, n);
	pid = fork();
	if (pid == 0) {
		for (i = 0; i < n; i++) {
			__u64 x = splitmix(&crng);
			struct mmngrbuf_fence_attach a = { .fd = dfd, .timeout_ms = 1 + x % 500 };
			struct mmngrbuf_import im = { .fd = dfd };
			struct mmngrbuf_export e = { .mmngr_fd = mfd, .handle = handle,
						     .fd_flags = O_RDWR };
			struct dma_buf_sync sy = { .flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW };
			struct mmngr_free fr = { .handle = handle };

			switch (x % 7) {
			case 0:
				ioctl(bfd, MMNGRBUF_IOCTL_FENCE_ATTACH, &a);
				break;
			case 1:
				ioctl(bfd, MMNGRBUF_IOCTL_IMPORT, &im);
				break;
			case 2:
				ioctl(bfd, MMNGRBUF_IOCTL_EXPORT, &e);
				break;
			case 3:
				ioctl(dfd, DMA_BUF_IOCTL_SYNC, &sy);
				sy.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
				ioctl(dfd, DMA_BUF_IOCTL_SYNC, &sy);
				break;
			case 4:
				ioctl(mfd, MMNGR_IOCTL_FREE, &fr);
				break;
			case 5:
				close(x & 1 ? bfd : dfd);
				break;
			default:
				mmap(NULL, page, PROT_READ, MAP_SHARED, dfd, 0);
				break;
			}
		}
		_exit(0);
	}
	opres(r, pid);
	if (pid < 0)
		return;
	if (rnd(t, 2)) {
		usleep(rnd(t, 3000));
		kill(pid, SIGKILL);
	}
	/*
	 * A child may wait for fences for seconds, twelve times over: after
	 * 2 s it is killed, which must end any wait of ours.
	 */
	for (i = 0; waitpid(pid, &status, WNOHANG) == 0; i++) {
		if (i == 200)
			kill(pid, SIGKILL);
		usleep(10000);
	}
}

/* Anything at all on any file: the kernel must survive it. */
static void op_garbage(struct thr *t)
{
	static const unsigned long cmds[] = {
		MM_IOC_ALLOC, MM_IOC_SHARE, MM_IOC_FLUSH, MM_IOC_VTOP,
		MMNGR_IOCTL_POOL_INFO, MMNGR_IOCTL_ALLOC, MMNGR_IOCTL_SYNC,
		MM_IOC_EXPORT_START, MM_IOC_IMPORT_START, MMNGRBUF_IOCTL_EXPORT,
		MMNGRBUF_IOCTL_ALLOC, MMNGRBUF_IOCTL_IMPORT, MMNGRBUF_IOCTL_FENCE_ATTACH,
		MMNGRBUF_IOCTL_FENCE_SIGNAL, DMA_BUF_IOCTL_SYNC, SYNC_IOC_FILE_INFO,
	};
	unsigned long cmd = cmds[rnd(t, ARRAY_SIZE(cmds))];
	__u64 *w = (__u64 *)t->argbuf;
	struct obj o;
	int i;

	if (pick_fd(t, &o) < 0)
		return;
	/* Random bytes, of which the fd-like fields are small numbers. */
	for (i = 0; i < 16; i++)
		w[i] = rnd(t, 3) ? rnd(t, 64) : rnd64(t);
	if (rnd(t, 2))
		cmd = (cmd & ~((unsigned long)_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
		      ((unsigned long)rnd(t, 128) << _IOC_SIZESHIFT);
	if (cmd == MMNGRBUF_IOCTL_ALLOC || cmd == MMNGRBUF_IOCTL_EXPORT ||
	    cmd == MM_IOC_EXPORT_START)
		return;	/* could leave dma-buf fds nobody knows of */
	xioctl(t, "garbage", o.fd, cmd, t->argbuf, w[0], w[1]);
}

/* ---- the workers ---- */

struct op {
	void (*fn)(struct thr *t);
	int weight;
	const char *name;
};

static void op_close_normal(struct thr *t)
{
	op_close(t, false);
}

static void op_close_racy(struct thr *t)
{
	op_close(t, true);
}

static const struct op ops[] = {
	{ op_open, 6, "open" },
	{ op_close_normal, 4, "close" },
	{ op_close_racy, 2, "close-racy" },
	{ op_rgnmm, 10, "rgnmm" },
	{ op_mmngr, 16, "mmngr" },
	{ op_bufdev, 27, "rgnmmbuf" },
	{ op_fence_race, 8, "fence-race" },
	{ op_dmabuf, 18, "dmabuf" },
	{ op_syncfile, 4, "syncfile" },
	{ op_map, 6, "map" },
	{ op_vgem, 4, "vgem" },
	{ op_heap, 6, "heap" },
	{ op_fork, 1, "fork" },
	{ op_garbage, 2, "garbage" },
};

static int weight[ARRAY_SIZE(ops)];

static void run_op(struct thr *t)
{
	int i, total = 0, r;

	for (i = 0; i < (int)ARRAY_SIZE(ops); i++)
		total += weight[i];
	r = rnd(t, total);
	for (i = 0; r >= weight[i]; i++)
		r -= weight[i];
	if (ops[i].fn == op_vgem && !have_vgem)
		return;
	t->op = ops[i].name;
	t->op_start = now_s();
	__atomic_store_n(&t->busy, 1, __ATOMIC_RELEASE);
	ops[i].fn(t);
	__atomic_store_n(&t->busy, 0, __ATOMIC_RELEASE);
	unpin_all(t);
	__atomic_add_fetch(&t->nops, 1, __ATOMIC_RELAXED);
}

static void on_signal(int sig)
{
	(void)sig;
}

static void *worker(void *arg)
{
	struct thr *t = arg;
	unsigned long long my = 0;

	self = t;
	t->argbuf = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->argbuf == MAP_FAILED)
		return NULL;
	mprotect(t->argbuf + 2 * page, page, PROT_NONE);
	mprotect(t->argbuf + 3 * page, page, PROT_READ);
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
		if (replay) {
			/* In turn: each thread's choices repeat from the seed. */
			while (__atomic_load_n(&turn, __ATOMIC_ACQUIRE) % nthreads !=
			       (__u64)t->idx && !__atomic_load_n(&stop, __ATOMIC_ACQUIRE))
				sched_yield();
			if (__atomic_load_n(&stop, __ATOMIC_ACQUIRE))
				break;
		}
		run_op(t);
		my++;
		if (replay)
			__atomic_add_fetch(&turn, 1, __ATOMIC_ACQ_REL);
		if (max_ops && total_ops() >= max_ops)
			__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* ---- setup ---- */

static void find_pools(void)
{
	struct mmngr_pool_info pi;
	int fd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return;
	for (npools = 0; npools < MAX_POOLS; npools++) {
		memset(&pi, 0, sizeof(pi));
		pi.index = npools;
		if (ioctl(fd, MMNGR_IOCTL_POOL_INFO, &pi))
			break;
		pools[npools].kind = pi.kind;
		pools[npools].size = pi.size;
		pools[npools].caching = pi.caching;
		printf("# pool %d: %s, kind %u, %llu bytes, caching %#x\n", npools, pi.name,
		       pi.kind, (unsigned long long)pi.size, pi.caching);
	}
	close(fd);
}

/*
 * Whether attaching a device to a vgem dma-buf trips a kernel warning: vgem
 * before 5.16 ("drm/vgem: use shmem helpers") flushes the pages with
 * drm_clflush_pages(), which WARNs on every architecture but x86.
 */
static bool vgem_attach_warns(void)
{
	struct utsname u;
	int major, minor;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	if (major > 5 || (major == 5 && minor >= 16))
		return false;
	return strcmp(u.machine, "x86_64") && strcmp(u.machine, "i686");
}

/* vgem's card as /dev/dri/vgem, if it is loaded and usable. */
static void find_heaps(void)
{
	struct dirent *e;
	DIR *dir = opendir("/dev/dma_heap");

	if (!dir)
		return;
	while ((e = readdir(dir)) && nheaps < (int)ARRAY_SIZE(heap_path)) {
		if (strncmp(e->d_name, "mmngr-", 6))
			continue;
		snprintf(heap_path[nheaps], sizeof(heap_path[0]), "/dev/dma_heap/%s",
			 e->d_name);
		nheaps++;
	}
	closedir(dir);
}

static void find_vgem(void)
{
	struct dirent *e;
	DIR *dir;

	if (vgem_attach_warns()) {
		printf("# vgem not used: this kernel's vgem warns when its buffers are attached\n");
		return;
	}
	/*
	 * vgem is a platform device up to 6.14 and a faux device since 6.15
	 * ("drm/vgem: convert to use faux_device").
	 */
	dir = opendir("/sys/bus/platform/devices/vgem/drm");
	if (!dir)
		dir = opendir("/sys/bus/faux/devices/vgem/drm");
	if (!dir)
		return;
	while ((e = readdir(dir))) {
		if (strncmp(e->d_name, "card", 4))
			continue;
		snprintf(vgem_path, sizeof(vgem_path), "/dev/dri/%s", e->d_name);
		have_vgem = !access(vgem_path, R_OK | W_OK);
		break;
	}
	closedir(dir);
}

/*
 * Kernel log lines that fail the run, by kind: the line without its
 * numbers and what follows a '[' (addresses, sizes).  Each kind is printed
 * when it first appears, with the time and op count, the record before it
 * (a WARN's message) and a few after it; then twice more, then counted.
 */
#define MAX_SIGS	32
static struct {
	char key[200];
	char first[200];
	unsigned long n;
} sigs[MAX_SIGS];

static void kmsg_bad(const char *line, const char *prev, int *tail)
{
	char key[200];
	size_t i, n = 0;

	for (i = 0; line[i] && line[i] != '[' && n < sizeof(key) - 1; i++)
		if (line[i] < '0' || line[i] > '9')
			key[n++] = line[i];
	key[n] = '\0';
	for (i = 0; i < MAX_SIGS - 1 && sigs[i].n && strcmp(sigs[i].key, key); i++)
		;
	if (!sigs[i].n) {
		snprintf(sigs[i].key, sizeof(sigs[i].key), "%s", key);
		snprintf(sigs[i].first, sizeof(sigs[i].first), "%s", line);
		printf("# kernel after %.1f s, %llu ops: %s\n", elapsed(), total_ops(), line);
		if (*prev)
			printf("# kernel:   (before it) %s\n", prev);
		*tail = 12;
	} else if (sigs[i].n < 3) {
		printf("# kernel after %.1f s, %llu ops: %s\n", elapsed(), total_ops(), line);
	}
	sigs[i].n++;
	fail(FAIL_KMSG, line);
}

/* Watch the kernel log and the workers until the time is up. */
static void monitor(void)
{
	struct thr *m = &thr[MAX_THREADS - 1];
	double end = now_s() + duration, last = 0;
	int tail = 0, i;
	bool kmsg_ok, hung_seen = false;
	struct kmsg k;
	char line[512], prev[512] = "";

	m->rng = seed ^ 0x5151;
	kmsg_ok = !kmsg_open(&k);
	if (!kmsg_ok)
		printf("# cannot read /dev/kmsg: the kernel log is not watched\n");
	for (;;) {
		bool over = now_s() >= end || __atomic_load_n(&stop, __ATOMIC_ACQUIRE);
		int r;

		while (kmsg_ok && (r = kmsg_next(&k, line, sizeof(line))) >= 0) {
			if (r == 1) {
				kmsg_bad(line, prev, &tail);
			} else if (tail > 0) {
				tail--;
				printf("# kernel:   %s\n", line);
			}
			memcpy(prev, line, sizeof(prev));
		}
		for (i = 0; i < nthreads; i++) {
			if (!__atomic_load_n(&thr[i].busy, __ATOMIC_ACQUIRE) ||
			    now_s() - thr[i].op_start < hung_s || hung_seen)
				continue;
			printf("# t%d: %s has not returned after %.0f s\n", i, thr[i].op, hung_s);
			hung_seen = true;
			fail(FAIL_HUNG, "hung operation");
		}
		if (over) {
			__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
			for (i = 0; i < nthreads; i++)
				if (__atomic_load_n(&thr[i].busy, __ATOMIC_ACQUIRE))
					break;
			if (i == nthreads || hung_seen)
				break;
		}
		/* Interrupt whatever one of the workers waits in. */
		if (!replay && now_s() - last > 0.005) {
			last = now_s();
			pthread_kill(thr[rnd(m, nthreads)].th, SIGUSR1);
		}
		usleep(2000);
	}
	/* Whatever the last operations printed late. */
	usleep(200000);
	while (kmsg_ok && (i = kmsg_next(&k, line, sizeof(line))) >= 0) {
		if (i == 1)
			kmsg_bad(line, prev, &tail);
		memcpy(prev, line, sizeof(prev));
	}
	for (i = 0; i < MAX_SIGS && sigs[i].n; i++)
		printf("# kernel: %lu times: %s\n", sigs[i].n, sigs[i].first);
}

static int fuzz(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned long long n;
	sigset_t alrm;
	double secs;
	int i;

	t0 = now_s();
	page = sysconf(_SC_PAGESIZE);
	ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	find_pools();
	find_vgem();
	find_heaps();
	printf("# seed %#llx, %d threads, %.0f s, %d pools, %d heap nodes, vgem %s, %d-bit\n",
	       (unsigned long long)seed, nthreads, duration, npools, nheaps,
	       have_vgem ? "yes" : "no", (int)sizeof(long) * 8);
	fflush(stdout);
	placeholder = open("/dev/null", O_RDWR | O_CLOEXEC);
	sigaction(SIGUSR1, &sa, NULL);
	/* Only a fence race takes the interval timer's signal. */
	sigaction(SIGALRM, &sa, NULL);
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &alrm, NULL);
	sa.sa_handler = on_fault;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < nthreads; i++) {
		thr[i].idx = i;
		thr[i].rng = seed + 0x1000 * (i + 1);
		if (pthread_create(&thr[i].th, NULL, worker, &thr[i])) {
			printf("# cannot start thread %d\n", i);
			return FAIL_UNEXPECTED;
		}
	}
	monitor();
	secs = elapsed();
	n = total_ops();
	pthread_mutex_lock(&plock);
	printf("# %llu ops in %.1f s: %.0f ops/s, %d threads, seed %#llx\n", n, secs,
	       n / secs, nthreads, (unsigned long long)seed);
	for (i = 0; i < MAX_KINDS && seen_fmt[i]; i++)
		printf("# %lu times: %s\n", seen_count[i], seen_fmt[i]);
	printf("# fence races: %lu fences attached, %lu signalled by the racing thread\n",
	       race_attached, race_signalled);
	printf("# live at the end:");
	for (i = K_RGNMM; i < NR_KINDS; i++)
		printf(" %s %d", kind_name[i], kind_count[i]);
	printf("\n");
	pthread_mutex_unlock(&plock);
	fflush(stdout);
	/* A hung worker cannot be joined: leave it to the exit. */
	return __atomic_load_n(&fail_bits, __ATOMIC_ACQUIRE);
}

static void help(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--seconds S] [--seed N] [--threads N] [--ops N] [--replay]\n"
		"       [--verbose] [--first] [--hung S] [--skip OP,...]\n"
		"Defaults: 60 s on a debug kernel (20 s for 32-bit), else 10 s (5 s);\n"
		"MMNGR_FUZZ_SECONDS overrides them.  --replay runs the threads in turn.\n",
		prog);
	exit(2);
}

int main(int argc, char **argv)
{
	long long used, used_now;
	double deadline;
	int bufs, bufs_now, status, i, bits;
	bool seeded = false;
	const char *env, *skip = NULL;
	pid_t pid;

	setvbuf(stdout, NULL, _IOLBF, 0);
	env = getenv("MMNGR_FUZZ_SECONDS");
	if (env)
		duration = atof(env);
	else if (debug_kernel())
		duration = sizeof(long) == 8 ? 60 : 20;
	else
		duration = sizeof(long) == 8 ? 10 : 5;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--replay"))
			replay = true;
		else if (!strcmp(a, "--verbose"))
			verbose = true;
		else if (!strcmp(a, "--keep-going"))
			keep_going = true;
		else if (!strcmp(a, "--first"))
			keep_going = false;
		else if (!v)
			help(argv[0]);
		else if (!strcmp(a, "--seconds"))
			duration = atof(argv[++i]);
		else if (!strcmp(a, "--seed"))
			seed = strtoull(argv[++i], NULL, 0), seeded = true;
		else if (!strcmp(a, "--threads"))
			nthreads = atoi(argv[++i]);
		else if (!strcmp(a, "--ops"))
			max_ops = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(a, "--hung"))
			hung_s = atof(argv[++i]);
		else if (!strcmp(a, "--skip"))
			skip = argv[++i];
		else
			help(argv[0]);
	}
	if (nthreads < 1 || nthreads > MAX_THREADS - 1)
		help(argv[0]);
	/* --skip a,b: leave out the operations named so. */
	for (i = 0; i < (int)ARRAY_SIZE(ops); i++) {
		const char *p = skip;
		size_t len = strlen(ops[i].name);

		weight[i] = ops[i].weight;
		while (p && *p) {
			if (!strncmp(p, ops[i].name, len) && (p[len] == ',' || !p[len]))
				weight[i] = 0;
			p = strchr(p, ',');
			p = p ? p + 1 : NULL;
		}
	}
	if (!seeded) {
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

		if (fd < 0 || read(fd, &seed, sizeof(seed)) != sizeof(seed))
			seed = (__u64)time(NULL) ^ getpid();
		if (fd >= 0)
			close(fd);
	}

	tap_plan(4);
	if (access("/dev/mmngr", F_OK) || access("/dev/rgnmmbuf", F_OK)) {
		for (i = 0; i < 4; i++)
			tap_result(1, "fuzz # SKIP mmngr or mmngrbuf is not loaded");
		return 0;
	}
	used = pools_used();
	bufs = debugfs_buffers();
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(fuzz());
	/* A child stuck in the kernel must not hold up the rest of the run. */
	deadline = now_s() + duration + 2 * hung_s + 60;
	while (pid > 0 && waitpid(pid, &status, WNOHANG) == 0) {
		if (now_s() > deadline) {
			printf("# the fuzzer did not exit: killed\n");
			kill(pid, SIGKILL);
			status = SIGKILL;
			break;
		}
		usleep(100000);
	}
	if (pid < 0 || !WIFEXITED(status)) {
		const char *why = pid < 0 ? "fork failed" : "the fuzzer was killed";

		printf("# %s (signal %d); seed %#llx\n", why,
		       pid < 0 ? 0 : WTERMSIG(status), (unsigned long long)seed);
		bits = FAIL_UNEXPECTED | FAIL_KMSG | FAIL_HUNG;
	} else {
		bits = WEXITSTATUS(status);
	}
	tap_result(!(bits & FAIL_UNEXPECTED), "fuzz: no unexpected result (seed %#llx)",
		   (unsigned long long)seed);
	tap_result(!(bits & FAIL_KMSG), "fuzz: kernel log clean while fuzzing");
	tap_result(!(bits & FAIL_HUNG), "fuzz: every operation returned within %.0f s",
		   hung_s);
	if (used < 0 || bufs < 0) {
		tap_result(1, "fuzz: pools and buffers back to baseline # SKIP %s",
			   "no sysfs or debugfs");
	} else {
		i = back_to_baseline(used, bufs, 10, &used_now, &bufs_now);
		if (!i)
			printf("# pools: %lld bytes used, %lld before; buffers %d, %d before\n",
			       used_now, used, bufs_now, bufs);
		tap_result(i, "fuzz: pools and buffers back to baseline after the fuzzer exits");
	}
	return tap_failed ? 1 : 0;
}
