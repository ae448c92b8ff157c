// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fences user space signals (MMNGRBUF_IOCTL_FENCE_ATTACH / _SIGNAL): they
 * hold up every implicit-sync user of the buffer (poll(),
 * DMA_BUF_IOCTL_EXPORT_SYNC_FILE, DMA_BUF_IOCTL_SYNC) until signalled; errors
 * reach waiters; forgotten fences time out; closing the file signals its
 * fences; many waiters all wake; bad arguments are refused.
 */

#include "mmngrbuf_test.h"

#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"

#define SIZE		(64 * 1024)
#define TIMEOUT_PARAM	"/sys/module/mmngrbuf/parameters/fence_timeout_ms"

static int attach(int bfd, int dfd, __u32 flags, __u32 timeout_ms,
		  __u32 *fence, int *sync)
{
	struct mmngrbuf_fence_attach a = { .fd = dfd, .flags = flags,
					   .timeout_ms = timeout_ms };
	int ret = ioctl(bfd, MMNGRBUF_IOCTL_FENCE_ATTACH, &a);

	if (!ret) {
		*fence = a.fence;
		if (sync)
			*sync = a.sync_file;
	}
	return ret;
}

static int signal_fence(int bfd, __u32 fence, int error)
{
	struct mmngrbuf_fence_signal s = { .fence = fence, .error = error };

	return ioctl(bfd, MMNGRBUF_IOCTL_FENCE_SIGNAL, &s);
}

static int export_sync_file(int dfd, __u32 flags)
{
	struct dma_buf_export_sync_file e = { .flags = flags, .fd = -1 };

	return ioctl(dfd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &e) ? -1 : e.fd;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

FIXTURE(fence) {
	int bfd;
	int dfd;
};

FIXTURE_SETUP(fence)
{
	self->bfd = open("/dev/rgnmmbuf", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->bfd);
	self->dfd = alloc_dmabuf(self->bfd, SIZE, MMNGR_CACHING_CACHED);
	ASSERT_LE(0, self->dfd);
}

FIXTURE_TEARDOWN(fence)
{
	close(self->dfd);
	close(self->bfd);
}

TEST_F(fence, write_fence_holds_every_waiter)
{
	int sync, es;
	__u32 f;

	if (!has_export_sync_file(self->dfd))
		SKIP(return, "no DMA_BUF_IOCTL_EXPORT_SYNC_FILE in this kernel (6.0)");

	ASSERT_EQ(0, attach(self->bfd, self->dfd,
			    MMNGRBUF_FENCE_WRITE | MMNGRBUF_FENCE_SYNC_FILE, 0, &f, &sync));
	ASSERT_LE(0, sync);
	EXPECT_TRUE(!!(fcntl(sync, F_GETFD) & FD_CLOEXEC));
	EXPECT_EQ(0, sync_file_status(sync));
	EXPECT_EQ(0, poll_ready(sync, POLLIN, 0));
	/* Readers wait for writers, writers for everyone. */
	EXPECT_EQ(0, poll_ready(self->dfd, POLLIN, 0));
	EXPECT_EQ(0, poll_ready(self->dfd, POLLOUT, 0));
	es = export_sync_file(self->dfd, DMA_BUF_SYNC_READ);
	ASSERT_LE(0, es);
	EXPECT_EQ(0, sync_file_status(es));

	ASSERT_EQ(0, signal_fence(self->bfd, f, 0));
	EXPECT_EQ(1, sync_file_status(sync));
	EXPECT_EQ(1, sync_file_status(es));
	EXPECT_EQ(1, poll_ready(self->dfd, POLLIN, 0));
	EXPECT_EQ(1, poll_ready(self->dfd, POLLOUT, 0));
	/* Signalled and forgotten. */
	EXPECT_EQ(-1, signal_fence(self->bfd, f, 0));
	EXPECT_EQ(ENOENT, errno);
	close(es);
	close(sync);
}

TEST_F(fence, read_fences_share_writers_wait)
{
	__u32 r1, r2, w;
	int es;

	if (!has_export_sync_file(self->dfd))
		SKIP(return, "no DMA_BUF_IOCTL_EXPORT_SYNC_FILE in this kernel (6.0)");

	ASSERT_EQ(0, attach(self->bfd, self->dfd, 0, 0, &r1, NULL));
	ASSERT_EQ(0, attach(self->bfd, self->dfd, 0, 0, &r2, NULL));
	EXPECT_NE(r1, r2);
	EXPECT_EQ(1, poll_ready(self->dfd, POLLIN, 0));
	EXPECT_EQ(0, poll_ready(self->dfd, POLLOUT, 0));
	/* A reader can go ahead, a writer waits for both. */
	es = export_sync_file(self->dfd, DMA_BUF_SYNC_READ);
	ASSERT_LE(0, es);
	EXPECT_EQ(1, sync_file_status(es));
	close(es);
	EXPECT_EQ(0, dmabuf_sync(self->dfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	EXPECT_EQ(0, dmabuf_sync(self->dfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	es = export_sync_file(self->dfd, DMA_BUF_SYNC_WRITE);
	ASSERT_LE(0, es);
	EXPECT_EQ(0, sync_file_status(es));

	EXPECT_EQ(-1, attach(self->bfd, self->dfd, MMNGRBUF_FENCE_WRITE, 0, &w, NULL));
	EXPECT_EQ(EBUSY, errno);
	ASSERT_EQ(0, signal_fence(self->bfd, r1, 0));
	EXPECT_EQ(0, sync_file_status(es));
	ASSERT_EQ(0, signal_fence(self->bfd, r2, 0));
	EXPECT_EQ(1, sync_file_status(es));
	close(es);
	ASSERT_EQ(0, attach(self->bfd, self->dfd, MMNGRBUF_FENCE_WRITE, 0, &w, NULL));
	EXPECT_EQ(-1, attach(self->bfd, self->dfd, 0, 0, &r1, NULL));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(0, signal_fence(self->bfd, w, 0));
}

/* CPU access waits for the device's write before it is granted. */
TEST_F(fence, sync_start_waits_for_signal)
{
	struct sync_waiter w = { .dfd = self->dfd, .flags = DMA_BUF_SYNC_RW };
	pthread_t t;
	__u32 f;

	ASSERT_EQ(0, attach(self->bfd, self->dfd, MMNGRBUF_FENCE_WRITE, 0, &f, NULL));
	ASSERT_EQ(0, pthread_create(&t, NULL, sync_waiter_run, &w));
	usleep(300 * 1000);
	EXPECT_EQ(0, sync_waiter_done(&w));
	ASSERT_EQ(0, signal_fence(self->bfd, f, 0));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(1, sync_waiter_done(&w));
	EXPECT_EQ(0, w.ret);
	EXPECT_EQ(0, dmabuf_sync(self->dfd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
}

static void on_alarm(int sig)
{
}

/* The wait is interruptible: a signal ends it with EINTR. */
TEST_F(fence, sync_start_is_interruptible)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	long long t0;
	__u32 f;

	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, attach(self->bfd, self->dfd, MMNGRBUF_FENCE_WRITE, 20000, &f, NULL));
	t0 = now_ms();
	alarm(1);
	EXPECT_EQ(-1, dmabuf_sync(self->dfd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	EXPECT_EQ(EINTR, errno);
	EXPECT_GT(10000, now_ms() - t0);
	EXPECT_EQ(0, signal_fence(self->bfd, f, 0));
}

TEST_F(fence, error_reaches_waiters)
{
	int sync;
	__u32 f;

	ASSERT_EQ(0, attach(self->bfd, self->dfd,
			    MMNGRBUF_FENCE_WRITE | MMNGRBUF_FENCE_SYNC_FILE, 0, &f, &sync));
	ASSERT_EQ(0, signal_fence(self->bfd, f, -EIO));
	EXPECT_EQ(-EIO, sync_file_status(sync));
	EXPECT_EQ(1, poll_ready(self->dfd, POLLOUT, 0));
	close(sync);
}

/* A forgotten fence is signalled with ETIMEDOUT after its timeout. */
TEST_F(fence, timeout_signals_forgotten_fence)
{
	long long t0 = now_ms(), dt;
	int sync;
	__u32 f;

	ASSERT_EQ(0, attach(self->bfd, self->dfd,
			    MMNGRBUF_FENCE_WRITE | MMNGRBUF_FENCE_SYNC_FILE, 200, &f, &sync));
	EXPECT_EQ(1, poll_ready(sync, POLLIN, 10000));
	dt = now_ms() - t0;
	/*
	 * Not signalled long before its time.  The bound is loose: timers
	 * count whole jiffies from one already under way, and an emulated
	 * guest's tick and clock drift apart under load (184 ms measured
	 * once for 200 on a busy host).
	 */
	EXPECT_LE(200 / 2, dt);
	EXPECT_GT(10000, dt);
	EXPECT_EQ(-ETIMEDOUT, sync_file_status(sync));
	EXPECT_EQ(1, poll_ready(self->dfd, POLLOUT, 0));
	EXPECT_EQ(-1, signal_fence(self->bfd, f, 0));
	EXPECT_EQ(ETIMEDOUT, errno);
	EXPECT_EQ(-1, signal_fence(self->bfd, f, 0));
	EXPECT_EQ(ENOENT, errno);
	close(sync);
}

static int write_param(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

/* timeout_ms 0 means the module parameter. */
TEST_F(fence, default_timeout_is_module_parameter)
{
	char old[32] = { 0 };
	int fd, sync;
	__u32 f;

	fd = open(TIMEOUT_PARAM, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, read(fd, old, sizeof(old) - 1));
	close(fd);
	EXPECT_STREQ("10000\n", old);
	ASSERT_EQ(0, write_param(TIMEOUT_PARAM, "150"));
	EXPECT_EQ(0, attach(self->bfd, self->dfd, MMNGRBUF_FENCE_SYNC_FILE, 0, &f, &sync));
	ASSERT_EQ(0, write_param(TIMEOUT_PARAM, old));
	EXPECT_EQ(1, poll_ready(sync, POLLIN, 5000));
	EXPECT_EQ(-ETIMEDOUT, sync_file_status(sync));
	close(sync);
}

/* Closing the file signals what it never did, with ECANCELED. */
TEST_F(fence, close_signals_outstanding_fences)
{
	int bfd2, sync[3], i;
	__u32 f;

	bfd2 = open("/dev/rgnmmbuf", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, bfd2);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, attach(bfd2, self->dfd, MMNGRBUF_FENCE_SYNC_FILE, 0, &f, &sync[i]));
	EXPECT_EQ(0, poll_ready(self->dfd, POLLOUT, 0));
	close(bfd2);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(-ECANCELED, sync_file_status(sync[i]));
		close(sync[i]);
	}
	EXPECT_EQ(1, poll_ready(self->dfd, POLLOUT, 0));
}

/* Many processes wait, in every way there is; one signal wakes them all. */
TEST_F(fence, many_waiters_all_wake)
{
	const int n = 12;
	int sync, i, status, woke = 0;
	pid_t pid[12];
	__u32 f;

	ASSERT_EQ(0, attach(self->bfd, self->dfd,
			    MMNGRBUF_FENCE_WRITE | MMNGRBUF_FENCE_SYNC_FILE, 0, &f, &sync));
	for (i = 0; i < n; i++) {
		pid[i] = fork();
		ASSERT_LE(0, pid[i]);
		if (pid[i])
			continue;
		switch (i % 3) {
		case 0:
			_exit(poll_ready(sync, POLLIN, 8000) == 1 &&
			      sync_file_status(sync) == 1 ? 0 : 1);
		case 1:
			_exit(poll_ready(self->dfd, POLLOUT, 8000) == 1 ? 0 : 1);
		default:
			_exit(dmabuf_sync(self->dfd, DMA_BUF_SYNC_START |
					  DMA_BUF_SYNC_READ) ? 1 : 0);
		}
	}
	usleep(300 * 1000);
	for (i = 0; i < n; i++)
		EXPECT_EQ(0, waitpid(pid[i], &status, WNOHANG));
	ASSERT_EQ(0, signal_fence(self->bfd, f, 0));
	for (i = 0; i < n; i++) {
		ASSERT_EQ(pid[i], waitpid(pid[i], &status, 0));
		woke += WIFEXITED(status) && !WEXITSTATUS(status);
	}
	EXPECT_EQ(n, woke);
	close(sync);
}

/*
 * The default limit, 4096.  The fences are spread over 16 buffers: every
 * attach looks at all of a reservation object's fences, so 4096 on one
 * buffer take seconds of debug-kernel time for nothing this test checks.
 */
TEST_F(fence, file_fence_limit)
{
	int bfd2, dfd[16], i, ret = 0;
	__u32 f;

	for (i = 0; i < 16; i++) {
		dfd[i] = alloc_dmabuf(self->bfd, 4096, MMNGR_CACHING_CACHED);
		ASSERT_LE(0, dfd[i]);
	}
	bfd2 = open("/dev/rgnmmbuf", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, bfd2);
	for (i = 0; i < 4096 && !ret; i++)
		ret = attach(bfd2, dfd[i % 16], 0, 0, &f, NULL);
	EXPECT_EQ(0, ret);
	EXPECT_EQ(4096, f);
	EXPECT_EQ(-1, attach(bfd2, self->dfd, 0, 0, &f, NULL));
	EXPECT_EQ(ENOSPC, errno);
	/* The refused fence was signalled at once: it holds nothing up. */
	EXPECT_EQ(1, poll_ready(self->dfd, POLLOUT, 0));
	close(bfd2);
	for (i = 0; i < 16; i++) {
		EXPECT_EQ(1, poll_ready(dfd[i], POLLOUT, 0));
		close(dfd[i]);
	}
}

TEST_F(fence, invalid_arguments)
{
	struct mmngrbuf_alloc al = { .size = 4096, .fd_flags = O_CLOEXEC };
	struct mmngrbuf_fence_attach a;
	struct mmngrbuf_fence_signal s;
	int ro, nul, bfd2;
	__u32 f = 0;

#define EXPECT_ATTACH_ERRNO(err, field, value) do {			\
		memset(&a, 0, sizeof(a));				\
		a.fd = self->dfd;					\
		a.field = value;					\
		EXPECT_EQ(-1, ioctl(self->bfd, MMNGRBUF_IOCTL_FENCE_ATTACH, &a)); \
		EXPECT_EQ(err, errno);					\
	} while (0)

	EXPECT_ATTACH_ERRNO(EINVAL, flags, 1 << 2);
	EXPECT_ATTACH_ERRNO(EINVAL, timeout_ms, MMNGRBUF_FENCE_TIMEOUT_MAX_MS + 1);
	EXPECT_ATTACH_ERRNO(EINVAL, fence, 1);
	EXPECT_ATTACH_ERRNO(EINVAL, sync_file, 3);
	EXPECT_ATTACH_ERRNO(EINVAL, reserved0, 1);
	EXPECT_ATTACH_ERRNO(EINVAL, reserved[1], 1);
	EXPECT_ATTACH_ERRNO(EBADF, fd, -1);
	nul = open("/dev/null", O_RDWR);
	EXPECT_ATTACH_ERRNO(EINVAL, fd, nul);
	close(nul);

	/* A write fence needs a writable dma-buf. */
	al.mmngr_fd = open("/dev/mmngr", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, al.mmngr_fd);
	al.pool = heap_pool(al.mmngr_fd);
	ASSERT_EQ(0, ioctl(self->bfd, MMNGRBUF_IOCTL_ALLOC, &al));
	close(al.mmngr_fd);
	ro = al.fd;
	EXPECT_EQ(-1, attach(self->bfd, ro, MMNGRBUF_FENCE_WRITE, 0, &f, NULL));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(0, attach(self->bfd, ro, 0, 0, &f, NULL));
	EXPECT_EQ(0, signal_fence(self->bfd, f, 0));
	close(ro);

	ASSERT_EQ(0, attach(self->bfd, self->dfd, 0, 0, &f, NULL));
	memset(&s, 0, sizeof(s));
	s.fence = f;
	s.error = 1;
	EXPECT_EQ(-1, ioctl(self->bfd, MMNGRBUF_IOCTL_FENCE_SIGNAL, &s));
	EXPECT_EQ(EINVAL, errno);
	s.error = -4096;
	EXPECT_EQ(-1, ioctl(self->bfd, MMNGRBUF_IOCTL_FENCE_SIGNAL, &s));
	EXPECT_EQ(EINVAL, errno);
	s.error = 0;
	s.reserved = 1;
	EXPECT_EQ(-1, ioctl(self->bfd, MMNGRBUF_IOCTL_FENCE_SIGNAL, &s));
	EXPECT_EQ(EINVAL, errno);
	s.reserved = 0;
	s.fence = f + 1000;
	EXPECT_EQ(-1, ioctl(self->bfd, MMNGRBUF_IOCTL_FENCE_SIGNAL, &s));
	EXPECT_EQ(ENOENT, errno);
	/* Another file's fence is not ours to signal. */
	bfd2 = open("/dev/rgnmmbuf", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, bfd2);
	EXPECT_EQ(-1, signal_fence(bfd2, f, 0));
	EXPECT_EQ(ENOENT, errno);
	close(bfd2);
	EXPECT_EQ(0, signal_fence(self->bfd, f, 0));
}

TEST_HARNESS_MAIN
