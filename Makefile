# SPDX-License-Identifier: GPL-2.0-only
#
# mmngr: contiguous-memory allocator (mmngr.ko), its dma-buf bridge
# (mmngrbuf.ko), library and tests.
#
#   make                      modules for the running kernel, and the library
#   make KDIR=/path/to/build  modules for another kernel (KERNEL_SRC= too)
#   make KDIR=... ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
#   make modules              the modules only; Yocto's module class runs
#                             make KERNEL_SRC=... O=... CC=... LD=... modules
#   make modules_install      INSTALL_MOD_PATH, INSTALL_MOD_DIR, MODLIB
#   make install              modules_install + uapi headers + libraries +
#                             udev rule and modprobe.d file
#                             (DESTDIR, PREFIX, INSTALL_MOD_PATH as usual)
#   make lib                  libmmngr, libmmngrbuf and the mmngr tool only
#   make lib_install          install those only
#   make tests                the kselftests (needs Debian's linux-source)
#   make kselftest-install INSTALL_PATH=/dir [ARCH=arm64 CROSS_COMPILE=...]
#                             the kselftest bundle for a board
#   make deb                  Debian packages (dpkg-buildpackage) in build/deb
#   make gst                  the GStreamer plugin (mmngrpool), gst/
#   make gst_install          install it into GStreamer's plugin directory
#   make check                every test lane in QEMU, lint and DKMS checks
#   make check LANES="6.1-arm64 6.1-amd64"
#   make demo                 boot an R-Car-like arm64 board with the modules,
#                             then the GStreamer pipeline of make demo-gst
#   make demo-gst             a zero-copy GStreamer pipeline in the userland guest
#   make fuzz [SECONDS=600] [LANE=debug-arm64] [FUZZ_ARGS="--seed S --replay"]
#                             a long fuzzing round, kill rounds and reload cycles
#   make bench [BENCH_LANES="7.x-amd64 7.x-arm64"]
#                             mmngr against the dma-buf heaps, udmabuf and
#                             malloc, one boot per lane: build/bench/*.md and
#                             Documentation/performance/*.{png,svg}
#   make bench-smoke          the short ratio check `make check` runs
#   make lint                 checkpatch --strict and sparse
#   make coverage             gcov of both modules over the kselftests on the
#                             debug lanes: build/coverage/html, summary line
#   make coverage COVERAGE_LANES=debug-arm64
#
# The kernel build itself goes through Kbuild, so the standard
#   make -C <kernel build dir> M=$PWD modules
# works as well.

# One version for the modules (MODULE_VERSION), DKMS, the library and the
# Debian packages.
VERSION := $(shell cat $(CURDIR)/VERSION)

# Yocto's module class names the kernel tree KERNEL_SRC (and its build
# directory O, which reaches kbuild through MAKEFLAGS, as do CC and LD).
KERNEL_VERSION ?= $(shell uname -r)
ifneq ($(KERNEL_SRC),)
KDIR ?= $(KERNEL_SRC)
endif
KDIR ?= /lib/modules/$(KERNEL_VERSION)/build
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
UDEVRULESDIR ?= /lib/udev/rules.d
DESTDIR ?=
INSTALL_MOD_PATH ?= $(DESTDIR)
INSTALL_MOD_DIR ?= extra

ARCH ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/arm.*/arm/')
CROSS_COMPILE ?=
# CC from the command line or the environment wins (kbuild only takes it
# from the command line, where it then comes through MAKEFLAGS).
ifeq ($(origin CC),default)
CC := $(CROSS_COMPILE)gcc
endif

KMAKE = $(MAKE) -C $(KDIR) M=$(CURDIR) ARCH=$(ARCH) CROSS_COMPILE=$(CROSS_COMPILE)

BUILD ?= $(CURDIR)/build
TEST_OUT = $(BUILD)/tests/$(ARCH)

all: modules lib

kdir-check:
	@test -f $(KDIR)/Makefile || { \
		echo "KDIR=$(KDIR) is not a kernel build tree." >&2; \
		echo "Install the headers of the target kernel (Debian: linux-headers-\$$(uname -r))" >&2; \
		echo "or pass KDIR=/path/to/kernel/build." >&2; exit 1; }

modules: kdir-check
	$(KMAKE) modules

modules_install: kdir-check
	$(KMAKE) INSTALL_MOD_PATH=$(INSTALL_MOD_PATH) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) modules_install

headers_install:
	install -d $(DESTDIR)$(PREFIX)/include/linux
	install -m 0644 include/uapi/linux/*.h $(DESTDIR)$(PREFIX)/include/linux/

# libmmngr.so.1, libmmngrbuf.so.1, their archives, headers, pkg-config
# files, man pages and the mmngr tool (lib/Makefile).
LIB_MAKE = $(MAKE) -C lib O=$(BUILD)/lib/$(ARCH) CC="$(CC)" \
	CROSS_COMPILE=$(CROSS_COMPILE) PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

lib:
	$(LIB_MAKE)

lib_install:
	$(LIB_MAKE) install

# The udev rule (group video for every node), a commented modprobe.d
# file naming every module parameter and a modules-load.d entry
# (packaging/; the Debian packages install the same files).
data_install:
	install -d $(DESTDIR)$(UDEVRULESDIR) $(DESTDIR)$(SYSCONFDIR)/modprobe.d \
		$(DESTDIR)$(SYSCONFDIR)/modules-load.d
	install -m 0644 packaging/60-mmngr.rules $(DESTDIR)$(UDEVRULESDIR)/
	install -m 0644 packaging/modprobe.d/mmngr.conf $(DESTDIR)$(SYSCONFDIR)/modprobe.d/
	install -m 0644 packaging/modules-load.d/mmngr.conf $(DESTDIR)$(SYSCONFDIR)/modules-load.d/

install: modules_install headers_install lib_install data_install

# The GStreamer plugin (gst/Makefile): not part of `all`, as it needs
# GStreamer's development files.
GST_MAKE = $(MAKE) -C gst O=$(BUILD)/gst/$(ARCH) CC=$(CC) \
	CROSS_COMPILE=$(CROSS_COMPILE) DESTDIR=$(DESTDIR)

gst:
	$(GST_MAKE)

gst_install:
	$(GST_MAKE) install

# Static kselftest binaries for $(ARCH), ready to copy to a target.
KSFT_DIR = $$(tests/vm/ksrc)/tools/testing/selftests
tests:
	$(MAKE) -C tests OUTPUT=$(TEST_OUT) CC="$(CC)" LDFLAGS="$(LDFLAGS) -static" \
		KSFT_HARNESS_DIR=$(KSFT_DIR)

# The standard kselftest bundle (run_kselftest.sh, kselftest-list.txt,
# kselftest/runner.sh, one folder per area) in INSTALL_PATH, built the way
# the kernel's tools/testing/selftests/Makefile builds its own; see
# Documentation/testing.md#on-a-board.
INSTALL_PATH ?= $(BUILD)/kselftest_install/$(ARCH)
kselftest-install:
	$(MAKE) -C tests OUTPUT=$(TEST_OUT) CC="$(CC)" LDFLAGS="$(LDFLAGS) -static" \
		KSFT_HARNESS_DIR=$(KSFT_DIR) INSTALL_PATH=$(abspath $(INSTALL_PATH)) install

# Debian packages (debian/) in $(BUILD)/deb.
deb:
	tests/deb/build $(BUILD)/deb

check:
	tests/vm/check $(LANES)

# The board first, then a GStreamer pipeline through mmngrpool.
demo:
	tests/vm/demo
	tests/gst/demo

demo-gst:
	tests/gst/demo

fuzz:
	tests/fuzz/fuzz-lane $(or $(LANE),debug-arm64) $(or $(SECONDS),600) $(FUZZ_ARGS)

lint:
	tests/lint

BENCH_LANES ?=

bench:
	tests/bench/bench $(BENCH_LANES)

bench-smoke:
	tests/bench/bench --smoke

COVERAGE_LANES ?=

coverage:
	tests/vm/coverage $(COVERAGE_LANES)

clean:
	-$(KMAKE) clean 2>/dev/null
	rm -rf $(BUILD)

.PHONY: all kdir-check modules modules_install headers_install install tests \
	lib lib_install data_install kselftest-install deb gst gst_install check \
	demo demo-gst fuzz lint coverage clean bench bench-smoke
