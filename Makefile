# The one entry point of the book.  Everything it builds comes from
# chapters/*.nw; this file only says how.  See README.md for the targets.

CPUS   ?= 2
EXTRA  ?=
OUT    := out
SRC    := $(OUT)/src
OBJ    := $(OUT)/obj
CHAPTERS := $(sort $(wildcard chapters/*.nw))

# What the build runs, and the Debian package that provides each: a
# command on the PATH, gcc-m32 (gcc compiles for 32-bit x86), or a TeX
# file that kpsewhich must find, or a file by its absolute path.  Booting
# needs only the first list; the PDF needs the second too; the HTML edition
# the third (node and npm install the rest, see weave.mk), and its browser
# test the fourth.
NEED_RUN  := notangle:noweb gcc:gcc gcc-m32:gcc-multilib ld:binutils \
             qemu-system-i386:qemu-system-x86 python3:python3
NEED_BOOK := pdflatex:texlive-latex-base latexmk:latexmk \
             booktabs.sty:texlive-latex-recommended tikz.sty:texlive-pictures \
             lmodern.sty:lmodern noweb.sty:noweb pdfinfo:poppler-utils
NEED_HTML := pandoc:pandoc node:nodejs npm:npm pdf2svg:pdf2svg \
             /usr/share/seabios/bios.bin:seabios
NEED_BROWSER := chromium:chromium
SUDO = $(if $(filter 0,$(shell id -u)),,sudo)

.DEFAULT_GOAL := all
# No built-in rules: every rule is written here, and searching make's own
# for each of some hundreds of files would cost an edit a few hundredths
# of a second (the testing chapter measures the edit loop).
MAKEFLAGS += --no-builtin-rules
.SUFFIXES:
.PHONY: all deps deps-run deps-book deps-editions deps-browser kernel fs \
        pdf html notes serve qemu qemu-nox qemu-gdb qemu-nox-gdb test \
        test-build test-long test-mutants bench clean

all: kernel fs pdf html notes

# need CHECK:PACKAGE... : look for each thing the build runs; only when
# something is missing, install its package with apt-get, or say what to
# install where there is no apt-get.  The tools are checked, not dpkg's
# records, so a host whose tools came from elsewhere builds as well.
define need
	@have() { case "$$1" in \
	  *.sty) kpsewhich "$$1" >/dev/null 2>&1 ;; \
	  /*) test -e "$$1" ;; \
	  gcc-m32) echo 'int x;' | gcc -m32 -x c -c -o /dev/null - \
	             >/dev/null 2>&1 ;; \
	  *) command -v "$$1" >/dev/null 2>&1 ;; esac; }; \
	missing() { for n in $(1); do have $${n%%:*} || echo $${n#*:}; done \
	            | sort -u | tr '\n' ' '; }; \
	m=$$(missing); [ -z "$$m" ] && exit 0; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "deps: missing $$m(Debian package names); install them" >&2; \
	  exit 1; fi; \
	echo "deps: installing $$m"; \
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	$(SUDO) env DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq --no-install-recommends $$m >/dev/null \
	  || { echo "deps: could not install $$m" >&2; exit 1; }; \
	m=$$(missing); [ -z "$$m" ] || \
	  { echo "deps: still missing after installing: $$m" >&2; exit 1; }
endef

deps: deps-run deps-book deps-editions deps-browser
deps-run:
	$(call need,$(NEED_RUN))
deps-book:
	$(call need,$(NEED_BOOK))
deps-editions: deps-book
	$(call need,$(NEED_HTML))
deps-browser:
	$(call need,$(NEED_BROWSER))

include tangle.mk
include weave.mk

# ---------------------------------------------------------------------------
# Compiling.  The rules are generic: the file lists come from the tangled
# tree, so a new root chunk needs no edit here.

CC      := gcc
LD      := ld
OBJCOPY := objcopy
CFLAGS  := -m32 -std=gnu99 -O2 -Wall -Werror -MMD -MP -fno-pic -fno-pie \
           -static -fno-builtin -fno-strict-aliasing -fno-stack-protector \
           -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
           -fcf-protection=none --param=min-pagesize=0 -nostdinc -ggdb \
           -I$(SRC)/include
ASFLAGS := -m32 -Wa,--32 -Werror -MMD -MP -fno-pic -fno-pie -ggdb \
           -nostdinc -I$(SRC)/include
LDFLAGS := -m elf_i386 --fatal-warnings -z noexecstack

# What to build comes from the list of roots (ROOTS, from tangle.mk).
ALLSRC := $(ROOTS:%=$(SRC)/%)
KSRC   := $(filter $(SRC)/kernel/%.c $(SRC)/kernel/%.S,$(ALLSRC))
KOBJ   := $(patsubst $(SRC)/%,$(OBJ)/%.o,$(KSRC))
# entry.S must be first: the linker places the kernel's entry at the front.
KOBJ   := $(filter %/entry.S.o,$(KOBJ)) $(filter-out %/entry.S.o,$(KOBJ))
ULIBSRC := $(filter $(SRC)/user/lib/%.c $(SRC)/user/lib/%.S,$(ALLSRC))
# The test harness (user/lib/utest*) is linked only into the programs
# that include utest.h, so that any other program may define a fail().
ULIBALL  := $(patsubst $(SRC)/%,$(OBJ)/%.o,$(ULIBSRC))
UHARNESS := $(filter $(OBJ)/user/lib/utest%,$(ULIBALL))
ULIB     := $(filter-out $(UHARNESS),$(ULIBALL))
UPROGSRC := $(filter-out $(SRC)/user/lib/%,$(filter $(SRC)/user/%.c,$(ALLSRC)))
UPROGS  := $(patsubst $(SRC)/user/%.c,$(OUT)/fsroot/%,$(UPROGSRC))
# include-harness SOURCES: those of the sources that include utest.h
# (for the book's own programs the tangle lists them, in UTEST).
include-harness = \
  $(if $(strip $(1)),$(shell grep -lE '^ *.include +"utest\.h"' $(1)))
# Homework: make EXTRA="a.c b.c" builds out/extra/a and out/extra/b and
# puts them on the file system, where one named like a book program
# replaces the book's.
EXTRANAMES := $(basename $(notdir $(EXTRA)))
EXTRAPROGS := $(EXTRANAMES:%=$(OUT)/extra/%)
REPLACED   := $(filter $(EXTRANAMES:%=$(OUT)/fsroot/%),$(UPROGS))
FSFILES    := $(filter-out $(REPLACED),$(UPROGS)) $(EXTRAPROGS)

$(OBJ)/%.c.o: $(SRC)/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<
$(OBJ)/%.S.o: $(SRC)/%.S
	@mkdir -p $(@D)
	$(CC) $(ASFLAGS) -c -o $@ $<

# The boot block: compiled small, only .text copied out, signed by the build.
$(OBJ)/boot/bootmain.c.o: CFLAGS += -Os -fno-pic
# The kernel keeps its hands off the FPU (the chapter on processes says
# why): a double in kernel code is an error, not a corrupted user FPU.
$(filter %.c.o,$(KOBJ)): CFLAGS += -mgeneral-regs-only
$(OUT)/bootblock: $(OBJ)/boot/bootasm.S.o $(OBJ)/boot/bootmain.c.o
	$(LD) $(LDFLAGS) -e start -Ttext 0x7C00 -o $(OBJ)/bootblock.elf $^
	$(OBJCOPY) -S -O binary -j .text $(OBJ)/bootblock.elf $(OBJ)/bootblock.text
	@size=$$(stat -c %s $(OBJ)/bootblock.text); \
	if [ $$size -gt 510 ]; then \
	  echo "bootblock: $$size bytes of code, more than 510" >&2; exit 1; fi; \
	echo "bootblock: $$size of 510 bytes"
	@cp $(OBJ)/bootblock.text $@.tmp && truncate -s 510 $@.tmp && \
	 printf '\125\252' >> $@.tmp && mv $@.tmp $@

# Two flat binaries ride inside the kernel: the first user program and
# the start-up code of the other processors.  ld -b binary names their
# symbols after the file: _binary_initcode_start, _binary_entryother_size.
$(OBJ)/blob/initcode: $(OBJ)/user/initcode.S.o
	@mkdir -p $(@D)
	$(LD) $(LDFLAGS) -e start -Ttext 0 -o $@.elf $<
	$(OBJCOPY) -S -O binary -j .text $@.elf $@
$(OBJ)/blob/entryother: $(OBJ)/boot/entryother.S.o
	@mkdir -p $(@D)
	$(LD) $(LDFLAGS) -e start -Ttext 0x7000 -o $@.elf $<
	$(OBJCOPY) -S -O binary -j .text $@.elf $@
$(OBJ)/blobs.o: $(OBJ)/blob/initcode $(OBJ)/blob/entryother
	cd $(OBJ)/blob && $(LD) -m elf_i386 -z noexecstack -r -b binary \
	  -o ../blobs.o initcode entryother

$(OUT)/kernel: $(KOBJ) $(OBJ)/blobs.o $(SRC)/kernel/kernel.ld
	$(LD) $(LDFLAGS) -T $(SRC)/kernel/kernel.ld -o $@ $(KOBJ) $(OBJ)/blobs.o
	objdump -S $@ > $(OUT)/kernel.asm & \
	  nm -n $@ > $(OUT)/kernel.sym && wait $$!

# The boot block is one sector, so the kernel starts at the second; the
# image is padded (sparsely) to 10000 sectors.
$(OUT)/xv6.img: $(OUT)/bootblock $(OUT)/kernel
	cat $^ > $@.tmp && truncate -s '>5120000' $@.tmp && mv $@.tmp $@

# User programs: each user/NAME.c root becomes /NAME on the file system.
ULD := $(LD) $(LDFLAGS) -T $(SRC)/user/user.ld -e main
# The file system gets a copy without debugging information (it must fit
# in FSSIZE blocks); gdb can read the symbols from out/obj/user/NAME.elf.
# (A static pattern rule, so that make keeps the objects: they are not
# intermediate files, and nothing needs .SECONDARY.)
$(UPROGS): $(OUT)/fsroot/%: $(OBJ)/user/%.c.o $(ULIB) $(SRC)/user/user.ld
	@mkdir -p $(@D)
	$(ULD) -o $(OBJ)/user/$*.elf $(filter %.o,$^)
	$(OBJCOPY) --strip-debug $(OBJ)/user/$*.elf $@
UTESTPROGS := $(filter $(UPROGS),\
                $(patsubst user/%.c,$(OUT)/fsroot/%,$(UTEST)))
$(UTESTPROGS): $(UHARNESS)

# extra-program FILE NAME: compile a student's FILE into out/extra/NAME.
# Its headers come from its dependency file, like every object's.
define extra-program
$(OBJ)/extra/$(2).o: $(1) | $(OUT)/roots.mk
	@mkdir -p $$(@D)
	$(CC) $(CFLAGS) -c -o $$@ $$<
$(OUT)/extra/$(2): $(OBJ)/extra/$(2).o $(ULIB) \
  $(if $(call include-harness,$(1)),$(UHARNESS)) $(SRC)/user/user.ld
	@mkdir -p $$(@D)
	$(ULD) -o $(OBJ)/extra/$(2).elf $$(filter %.o,$$^)
	$(OBJCOPY) --strip-debug $(OBJ)/extra/$(2).elf $$@
endef
$(foreach f,$(EXTRA),\
  $(eval $(call extra-program,$(f),$(basename $(notdir $(f))))))

# mkfs runs on the build machine: host compiler, the book's headers
# reached only by #include "..." (-iquote), so that <fcntl.h> is the
# host's.  Its dependency file names the headers, so that changing
# NDIRECT, DIRSIZ or FSSIZE rebuilds it, and then the image.
$(OUT)/mkfs: $(SRC)/tools/mkfs.c
	@mkdir -p $(OBJ)/tools
	gcc -O2 -Wall -Werror -MMD -MP -MF $(OBJ)/tools/mkfs.d -MT $@ \
	  -iquote $(SRC)/include -o $@ $<

# The list of files is itself a prerequisite: dropping EXTRA rebuilds
# fs.img without the extra programs (and with the book's own again).  It
# is rewritten only when it changes, which make itself sees.
ifneq ($(file <$(OUT)/fsfiles),$(strip $(FSFILES)))
$(OUT)/fsfiles: FORCE
	@mkdir -p $(OUT)
	@echo "$(strip $(FSFILES))" > $@
endif

$(OUT)/fs.img: $(OUT)/mkfs $(UPROGS) $(EXTRAPROGS) $(OUT)/fsfiles
	@$(foreach p,$(notdir $(REPLACED)),\
	  echo "fs: EXTRA's $(p) replaces the book's $(p)";)
	$(OUT)/mkfs $@.tmp $(FSFILES) && mv $@.tmp $@

kernel: $(OUT)/xv6.img
fs: $(OUT)/fs.img

-include $(wildcard $(OBJ)/*/*.d $(OBJ)/*/*/*.d)

# ---------------------------------------------------------------------------
# Running.

QEMU     := qemu-system-i386
# One socket per CPU: with several cores in one socket, SeaBIOS lists only
# the first in the MP table (see the chapter on multiprocessors).
QEMUOPTS := -no-reboot -smp $(CPUS),sockets=$(CPUS),cores=1,threads=1 -m 512 \
            -drive file=$(OUT)/xv6.img,index=0,media=disk,format=raw \
            -drive file=$(OUT)/fs.img,index=1,media=disk,format=raw
GDBPORT  = $(shell expr `id -u` % 5000 + 25000)

qemu: kernel fs
	$(QEMU) -serial mon:stdio $(QEMUOPTS)
qemu-nox: kernel fs
	$(QEMU) -nographic $(QEMUOPTS)

.gdbinit: $(SRC)/tools/gdbinit
	sed "s/@PORT@/$(GDBPORT)/" $< > $@
qemu-gdb: kernel fs .gdbinit
	@echo "*** now run 'gdb' in this directory" 1>&2
	$(QEMU) -serial mon:stdio $(QEMUOPTS) -S -gdb tcp::$(GDBPORT)
qemu-nox-gdb: kernel fs .gdbinit
	@echo "*** now run 'gdb' in this directory" 1>&2
	$(QEMU) -nographic $(QEMUOPTS) -S -gdb tcp::$(GDBPORT)

# ---------------------------------------------------------------------------
# Testing: the driver is a chunk of the testing chapter.

# The tests need the kernel and its disk first, built JOBS jobs at once
# (one per processor unless told); the book is woven while the kernel is
# tested (the driver's --weave), and its tests come last.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
WEAVE = $(MAKE) --no-print-directory -j$(JOBS) pdf html notes
test-build: deps
	@$(MAKE) --no-print-directory -j$(JOBS) kernel fs $(OUT)/fsck

test: test-build
	@python3 $(SRC)/test/runtests.py --cpus "1 2" --weave "$(WEAVE)"

# The exhaustive runs: the whole suite, then the fuzz tests and the
# suites again (--long), then the planted bugs of the testing chapter.
test-long: test-build
	@python3 $(SRC)/test/runtests.py --long 3 --weave "$(WEAVE)"
	@python3 $(SRC)/test/mutants.py
test-mutants: deps-run kernel fs
	@python3 $(SRC)/test/mutants.py

bench: deps-run deps-book kernel fs
	@python3 $(SRC)/test/bench.py

# ---------------------------------------------------------------------------
# Crash consistency (the chapters on buffers, mkfs and testing).  fsck is
# a host program like mkfs; `make fsck IMG=path` checks an image (by
# default the file system disk).  test-crash replays every crash state
# of the recorded workload; make test runs a sample of them, and fsck
# on every image it booted.

IMG ?= $(OUT)/fs.img
$(OUT)/fsck: $(SRC)/tools/fsck.c
	@mkdir -p $(OBJ)/tools
	gcc -O2 -Wall -Werror -MMD -MP -MF $(OBJ)/tools/fsck.d -MT $@ \
	  -iquote $(SRC)/include -o $@ $<
fsck: $(OUT)/fsck $(filter $(OUT)/fs.img,$(IMG))
	@$(OUT)/fsck $(IMG)
test-crash: deps-run kernel fs $(OUT)/fsck
	@python3 $(SRC)/test/crash.py --full
test test-long test-mutants: $(OUT)/fsck
test-long: test-crash
.PHONY: fsck test-crash

clean:
	rm -rf $(OUT) .gdbinit

.PHONY: FORCE
FORCE:
