# SPDX-License-Identifier: GPL-2.0-only
#
# mmngr: contiguous-memory allocator (mmngr.ko), its dma-buf bridge
# (mmngrbuf.ko), library and tests.
#
#   make                      modules for the running kernel, and the tests
#   make KDIR=/path/to/build  modules for another kernel
#   make KDIR=... ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
#   make install              modules_install + uapi headers + libraries
#                             (DESTDIR, PREFIX, INSTALL_MOD_PATH as usual)
#   make lib                  libmmngr, libmmngrbuf and the mmngr tool only
#   make lib_install          install those only
#   make gst                  the GStreamer plugin (mmngrpool), gst/
#   make gst_install          install it into GStreamer's plugin directory
#   make check                every test lane in QEMU, lint and DKMS checks
#   make check LANES="6.1-arm64 6.1-amd64"
#   make demo                 boot an R-Car-like arm64 board with the modules
#   make demo-gst             a zero-copy GStreamer pipeline in the userland guest
#   make fuzz [SECONDS=600] [LANE=debug-arm64] [FUZZ_ARGS="--seed S --replay"]
#                             a long fuzzing round, kill rounds and reload cycles
#   make lint                 checkpatch --strict and sparse
#   make coverage             gcov of both modules over the kselftests on the
#                             debug lanes: build/coverage/html, summary line
#   make coverage COVERAGE_LANES=debug-arm64
#
# The kernel build itself goes through Kbuild, so the standard
#   make -C <kernel build dir> M=$PWD modules
# works as well.

KDIR ?= /lib/modules/$(shell uname -r)/build
PREFIX ?= /usr/local
DESTDIR ?=
INSTALL_MOD_PATH ?= $(DESTDIR)
INSTALL_MOD_DIR ?= extra

ARCH ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' -e 's/arm.*/arm/')
CROSS_COMPILE ?=
CC := $(CROSS_COMPILE)gcc

KMAKE = $(MAKE) -C $(KDIR) M=$(CURDIR) ARCH=$(ARCH) CROSS_COMPILE=$(CROSS_COMPILE)

BUILD ?= $(CURDIR)/build
TEST_OUT = $(BUILD)/tests/$(ARCH)

all: modules lib tests

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
LIB_MAKE = $(MAKE) -C lib O=$(BUILD)/lib/$(ARCH) CC=$(CC) \
	CROSS_COMPILE=$(CROSS_COMPILE) PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

lib:
	$(LIB_MAKE)

lib_install:
	$(LIB_MAKE) install

install: modules_install headers_install lib_install

# The GStreamer plugin (gst/Makefile): not part of `all`, as it needs
# GStreamer's development files.
GST_MAKE = $(MAKE) -C gst O=$(BUILD)/gst/$(ARCH) CC=$(CC) \
	CROSS_COMPILE=$(CROSS_COMPILE) DESTDIR=$(DESTDIR)

gst:
	$(GST_MAKE)

gst_install:
	$(GST_MAKE) install

# Static kselftest binaries for $(ARCH), ready to copy to a target.
tests:
	$(MAKE) -C tests OUTPUT=$(TEST_OUT) CC=$(CC) LDFLAGS=-static \
		KSFT_HARNESS_DIR=$$(tests/vm/ksrc)/tools/testing/selftests

check:
	tests/vm/check $(LANES)

demo:
	tests/vm/demo

demo-gst:
	tests/gst/demo

fuzz:
	tests/fuzz/fuzz-lane $(or $(LANE),debug-arm64) $(or $(SECONDS),600) $(FUZZ_ARGS)

lint:
	tests/lint

COVERAGE_LANES ?=

coverage:
	tests/vm/coverage $(COVERAGE_LANES)

clean:
	-$(KMAKE) clean 2>/dev/null
	rm -rf $(BUILD)

.PHONY: all kdir-check modules modules_install headers_install install tests \
	lib lib_install gst gst_install check demo demo-gst fuzz lint coverage \
	clean
