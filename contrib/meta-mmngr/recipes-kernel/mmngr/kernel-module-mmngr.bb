# SPDX-License-Identifier: MIT
#
# mmngr.ko and mmngrbuf.ko, built out of tree against the BSP's kernel by
# the module class: make KERNEL_SRC=... O=... CC=... LD=... modules, then
# modules_install with MODLIB (what tests/host-checks' Yocto check runs).
# Also installs the udev rule and the commented modprobe.d file.

SUMMARY = "mmngr: contiguous multimedia buffers and their dma-buf bridge"
LICENSE = "GPL-2.0-only"
LIC_FILES_CHKSUM = "file://LICENSES/GPL-2.0-only.txt;md5=b234ee4d69f5fce4486a80fdaf4a4263"

require mmngr.inc

inherit module

# The top-level Makefile's default goal also builds the library, which is
# libmmngr's recipe's job.
MAKE_TARGETS = "modules"

# The module class packages each module: kernel-module-mmngr and
# kernel-module-mmngrbuf, the names of Renesas' recipes' packages.
# mmngrbuf needs mmngr's symbols: both are built in one pass, and
# Module.symvers is installed for modules that call mmngr's kernel API.
do_install:append() {
	install -d ${D}${nonarch_base_libdir}/udev/rules.d ${D}${sysconfdir}/modprobe.d
	install -m 0644 ${S}/packaging/60-mmngr.rules ${D}${nonarch_base_libdir}/udev/rules.d/
	install -m 0644 ${S}/packaging/modprobe.d/mmngr.conf ${D}${sysconfdir}/modprobe.d/
}

FILES:${PN} += "${nonarch_base_libdir}/udev/rules.d/60-mmngr.rules ${sysconfdir}/modprobe.d/mmngr.conf"
CONFFILES:${PN} += "${sysconfdir}/modprobe.d/mmngr.conf"

# On a board whose device tree has the renesas,mmngr / renesas,mmngrbuf
# nodes the modules load by alias; elsewhere add them to
# KERNEL_MODULE_AUTOLOAD in local.conf or the image.
