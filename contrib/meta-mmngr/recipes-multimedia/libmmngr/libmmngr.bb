# SPDX-License-Identifier: MIT
#
# libmmngr.so.1 and libmmngrbuf.so.1 (drop-in for Renesas' libraries of
# the same names, and the mmngr2 API), their headers, pkg-config files and
# man pages; the mmngr tool in ${PN}-tools.

SUMMARY = "Contiguous multimedia buffer library (Renesas libmmngr drop-in and mmngr2)"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://LICENSES/MIT.txt;md5=0635ec3a6ece67bf657bda470c5947bf"

require ../../recipes-kernel/mmngr/mmngr.inc

# Replaces Renesas' libraries: images must not carry both.
PROVIDES += "mmngr-user-module mmngrbuf-user-module"
RPROVIDES:${PN} += "mmngr-user-module mmngrbuf-user-module"
RCONFLICTS:${PN} += "mmngr-user-module mmngrbuf-user-module"
RREPLACES:${PN} += "mmngr-user-module mmngrbuf-user-module"

# lib/Makefile takes CC, CFLAGS, LDFLAGS from the environment (the
# cross compiler with the sysroot) and the directories below.
EXTRA_OEMAKE = "-C ${S}/lib O=${B} PREFIX=${prefix} LIBDIR=${libdir} \
	INCLUDEDIR=${includedir} BINDIR=${bindir} MANDIR=${mandir}"

do_compile() {
	oe_runmake all
}

do_install() {
	oe_runmake install DESTDIR=${D}
}

PACKAGES =+ "${PN}-tools"
FILES:${PN}-tools = "${bindir}/mmngr"
RRECOMMENDS:${PN} += "kernel-module-mmngr"
