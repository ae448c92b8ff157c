# SPDX-License-Identifier: GPL-2.0-only
#
# Stand-in for the kernel's tools/testing/selftests/lib.mk, with the same
# interface (TEST_GEN_PROGS, OUTPUT, CFLAGS, LDLIBS; all, clean, install), so
# that every tests/<area>/Makefile builds the same here and when its folder
# is dropped into tools/testing/selftests/.
#
# kselftest_harness.h is not vendored: the top-level Makefile extracts it
# from Debian's linux-source package and passes KSFT_HARNESS_DIR.

selfdir := $(realpath $(dir $(filter %/lib.mk,$(MAKEFILE_LIST))))

ifeq ($(KSFT_HARNESS_DIR),)
$(error KSFT_HARNESS_DIR is not set; build the tests from the top-level Makefile)
endif

OUTPUT ?= $(CURDIR)
TEST_GEN_PROGS := $(patsubst %,$(OUTPUT)/%,$(TEST_GEN_PROGS))
TEST_GEN_FILES := $(patsubst %,$(OUTPUT)/%,$(TEST_GEN_FILES))
CFLAGS += -I$(KSFT_HARNESS_DIR)

all: $(TEST_GEN_PROGS) $(TEST_GEN_FILES)

# The project's uapi headers, when built here (not inside a kernel tree).
UAPI_HDRS := $(wildcard $(selfdir)/../include/uapi/linux/*.h)

$(OUTPUT)/%: %.c $(LOCAL_HDRS) $(UAPI_HDRS) | $(OUTPUT)
	$(CC) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS) $< $(LDLIBS) -o $@

$(OUTPUT):
	mkdir -p $@

clean:
	rm -f $(TEST_GEN_PROGS)

# As the kernel's lib.mk installs an area: its programs, the files they
# need and its kselftest "settings" (the runner's per-test timeout).
install: all
	@test -n "$(INSTALL_PATH)" || { echo "set INSTALL_PATH" >&2; exit 1; }
	mkdir -p $(INSTALL_PATH)
	cp -p $(TEST_GEN_PROGS) $(TEST_GEN_FILES) $(TEST_FILES) $(wildcard settings) $(INSTALL_PATH)/

# "collection:program" lines, as the kernel's kselftest-list.txt has them.
emit_tests:
	@for t in $(TEST_GEN_PROGS); do echo "$(COLLECTION):$$(basename $$t)"; done

.PHONY: all clean install emit_tests
