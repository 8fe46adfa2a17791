# The one entry point of the book.  Everything it builds comes from
# chapters/*.nw; this file only says how.  See README.md for the targets.

CPUS   ?= 2
EXTRA  ?=
OUT    := out
SRC    := $(OUT)/src
OBJ    := $(OUT)/obj
CHAPTERS := $(sort $(wildcard chapters/*.nw))

# Packages: booting needs only the first list; the book needs the second too.
DEPS_RUN  := noweb gcc gcc-multilib make qemu-system-x86 python3
DEPS_BOOK := texlive-latex-base texlive-latex-recommended texlive-pictures \
             texlive-fonts-recommended lmodern latexmk pandoc poppler-utils
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.DEFAULT_GOAL := all
.PHONY: all deps deps-run deps-book kernel fs pdf qemu qemu-nox qemu-gdb \
        qemu-nox-gdb test bench clean

all: kernel fs pdf

# install-missing PKG... : install with apt-get whatever dpkg does not know.
define install-missing
	@missing=""; for p in $(1); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $$missing >/dev/null \
	  || { echo "deps: could not install$$missing" >&2; exit 1; }; fi
endef

deps: deps-run deps-book
deps-run:
	$(call install-missing,$(DEPS_RUN))
deps-book:
	$(call install-missing,$(DEPS_BOOK))

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

KSRC := $(filter %.c %.S,$(ROOTS:%=$(SRC)/%))
KOBJ := $(patsubst $(SRC)/%,$(OBJ)/%.o,$(filter $(SRC)/kernel/%,$(KSRC)))
# entry.S must be first: the linker places the kernel's entry at the front.
KOBJ := $(filter %/entry.S.o,$(KOBJ)) $(filter-out %/entry.S.o,$(KOBJ))

$(OBJ)/%.c.o: $(SRC)/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<
$(OBJ)/%.S.o: $(SRC)/%.S
	@mkdir -p $(@D)
	$(CC) $(ASFLAGS) -c -o $@ $<

# The boot block: compiled small, only .text copied out, signed by the build.
$(OBJ)/boot/bootmain.c.o: CFLAGS += -Os -fno-pic
$(OUT)/bootblock: $(OBJ)/boot/bootasm.S.o $(OBJ)/boot/bootmain.c.o
	$(LD) $(LDFLAGS) -e start -Ttext 0x7C00 -o $(OBJ)/bootblock.elf $^
	$(OBJCOPY) -S -O binary -j .text $(OBJ)/bootblock.elf $(OBJ)/bootblock.text
	@size=$$(stat -c %s $(OBJ)/bootblock.text); \
	if [ $$size -gt 510 ]; then \
	  echo "bootblock: $$size bytes of code, more than 510" >&2; exit 1; fi; \
	echo "bootblock: $$size of 510 bytes"
	@cp $(OBJ)/bootblock.text $@.tmp && truncate -s 510 $@.tmp && \
	 printf '\125\252' >> $@.tmp && mv $@.tmp $@

$(OUT)/kernel: $(KOBJ) $(SRC)/kernel/kernel.ld
	$(LD) $(LDFLAGS) -T $(SRC)/kernel/kernel.ld -o $@ $(KOBJ)
	objdump -S $@ > $(OUT)/kernel.asm
	nm -n $@ > $(OUT)/kernel.sym

$(OUT)/xv6.img: $(OUT)/bootblock $(OUT)/kernel
	dd if=/dev/zero of=$@.tmp bs=512 count=10000 status=none
	dd if=$(OUT)/bootblock of=$@.tmp conv=notrunc status=none
	dd if=$(OUT)/kernel of=$@.tmp seek=1 conv=notrunc status=none
	mv $@.tmp $@

kernel: $(OUT)/xv6.img
fs:

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------------------
# Running.

QEMU     := qemu-system-i386
QEMUOPTS := -no-reboot -smp $(CPUS) -m 512 \
            -drive file=$(OUT)/xv6.img,index=0,media=disk,format=raw
GDBPORT  := $(shell expr `id -u` % 5000 + 25000)

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

test: deps-run deps-book kernel fs pdf
	@python3 $(SRC)/test/runtests.py --cpus "1 2"

clean:
	rm -rf $(OUT) .gdbinit
