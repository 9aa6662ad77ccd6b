# tern — build with `make`; see INSTALL and README.md.
#
# Variables a caller may set:
#   O=dir        where objects go            (default obj)
#   B=dir        where programs go           (default bin)
#   HOMEDIR=dir  the compiled-in home        (default: first line of conf-home)
#   SANITIZE=1   build with ASan and UBSan
#   LIBC=glibc   link the programs against glibc instead of musl (the
#                default, which needs musl-gcc: Debian package musl-tools);
#                SANITIZE=1 implies it. See doc/performance.md.
# Tests build a second copy with O, B and HOMEDIR pointing at a scratch
# instance, so they never touch the system's /var/tern.

O ?= obj
B ?= bin
HOMEDIR ?= $(shell head -n 1 conf-home)
SPLIT := $(shell head -n 1 conf-split)
CC_CMD := $(shell head -n 1 conf-cc)
LD_CMD := $(shell head -n 1 conf-ld)
ifeq ($(SANITIZE),1)
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif

PROGRAMS := $(sort $(patsubst src/%.c,%,$(wildcard src/*.c)))
# fortify.c and relro.c give musl-built programs what glibc's headers and
# start-up give the others (below); a glibc build never compiles them.
MUSL_ONLY := src/lib/fortify.c src/lib/relro.c
LIBOBJ := $(patsubst src/lib/%.c,$(O)/lib/%.o,$(filter-out $(MUSL_ONLY),$(wildcard src/lib/*.c))) $(O)/lib/auto.o
UNITS := $(sort $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test-*.c)))

# Libraries every program links; programs that need more say so here.
LDLIBS := -lcdb
LDLIBS_tls-server := -lbearssl
LDLIBS_relay-remote := -lbearssl
LDLIBS_dkim-sign := -lbearssl
LDLIBS_dkim-keygen := -lbearssl
LDLIBS_checkpassword-system := -lcrypt
LDLIBS_checkpassword-cdb := -lcrypt
LDLIBS_tern-passwd := -lcrypt

# LIBC: musl by default. glibc's start-up costs about half a millisecond
# of CPU per exec on these VMs (CPU feature detection that traps), and a
# message crosses several execs; musl's costs almost nothing
# (doc/performance.md). The programs are compiled with musl-gcc into
# $(O)/musl and linked static-pie, with the hardening glibc would give:
# the headers in src/lib/fortify/ do _FORTIFY_SOURCE's bounds checks and
# src/lib/fortify.c provides the __*_chk entry points (for tern's code and
# for Debian's libbearssl.a, which was compiled with fortification);
# src/lib/relro.c makes RELRO read-only at start, which musl's static
# start-up does not. Three programs stay glibc-linked: they need
# libxcrypt's crypt (yescrypt hashes; musl's crypt has none).
# LIBC=glibc builds everything as before; ASan (SANITIZE=1) needs glibc.
override LIBC := $(or $(strip $(LIBC)),$(if $(filter 1,$(SANITIZE)),glibc,musl))
TO := $(O)
ifneq ($(filter-out glibc musl,$(LIBC)),)
$(error LIBC=$(LIBC): say LIBC=glibc, or nothing for musl)
endif
ifeq ($(LIBC),musl)
ifeq ($(SANITIZE),1)
$(error SANITIZE=1 needs glibc (ASan does not support musl); drop LIBC=musl)
endif
MUSL_GCC ?= musl-gcc
MUSL_LIBDIR ?= /usr/lib/x86_64-linux-musl
SYSINC ?= /usr/include
MO := $(O)/musl
TO := $(MO)
GLIBC_PROGRAMS := checkpassword-system checkpassword-cdb tern-passwd
MUSL_PROGRAMS := $(filter-out $(GLIBC_PROGRAMS),$(PROGRAMS))
# Library modules only the glibc-linked programs use (checkpassword needs
# <crypt.h>, which musl does not install).
MUSL_LIBOBJ := $(filter-out $(MO)/lib/checkpassword.o,$(patsubst $(O)/%,$(MO)/%,$(LIBOBJ)))
# Linked into every musl program as objects, not from the archive: the
# constructor is referenced by nothing, and libbearssl.a, which calls
# __memcpy_chk, comes after libtern.a on the command line.
MUSL_START := $(MO)/lib/fortify.o $(MO)/lib/relro.o
# musl-gcc searches only musl's headers: cdb.h and BearSSL's (plain C,
# libc-neutral) are linked into a directory of their own.
MUSL_CC := $(MUSL_GCC) $(filter-out -D_FORTIFY_SOURCE=%,$(wordlist 2,$(words $(CC_CMD)),$(CC_CMD))) -I$(MO)/include -Isrc/lib/fortify
# musl-gcc's specs make -static-pie a dynamic musl PIE, so the static-pie
# link is spelled out: musl's self-relocating rcrt1.o, no interpreter.
# (= not :=: musl-gcc is run only when something is linked, so that
# `make run` can install it first.)
MUSL_LD := $(MUSL_GCC) -nostartfiles -static -Wl,-pie,--no-dynamic-linker,-z,text,-z,noexecstack $(filter -Wl%,$(LD_CMD))
MUSL_CRTBEGIN = $(MUSL_LIBDIR)/rcrt1.o $(MUSL_LIBDIR)/crti.o $(shell $(MUSL_GCC) -print-file-name=crtbeginS.o)
MUSL_CRTEND = -lc $(shell $(MUSL_GCC) -print-file-name=crtendS.o) $(MUSL_LIBDIR)/crtn.o
# Debian's libcdb.a and libbearssl.a call only what musl provides (glibc's
# __fxstat64 and lseek64, __errno_location) and the __*_chk of fortify.c;
# each -lX of LDLIBS_<program> is named by path (the archive libX.a), so
# that no other glibc archive can be found instead of musl's.
MUSL_ARCHIVE = $(shell $(firstword $(CC_CMD)) -print-file-name=lib$(1).a)
MUSL_LDLIBS := $(call MUSL_ARCHIVE,cdb)
MUSL_LDLIBS_OF = $(foreach l,$(patsubst -l%,%,$(LDLIBS_$(1))),$(call MUSL_ARCHIVE,$(l)))
endif

.PHONY: all install run test unit bench fuzz clean
.SECONDARY:

all: $(addprefix $(B)/,$(PROGRAMS))

# Which libc the programs in $(B) were linked with: a switch relinks them.
LIBC_STAMP := $(O)/libc.stamp
$(shell mkdir -p '$(O)' && { [ "$$(cat '$(LIBC_STAMP)' 2>/dev/null)" = '$(LIBC)' ] || echo '$(LIBC)' > '$(LIBC_STAMP)'; })
# Which sanitizer flags the glibc objects were compiled with: a switch of
# SANITIZE recompiles them (else ASan objects would meet a plain link).
SAN_STAMP := $(O)/san.stamp
$(shell { [ -f '$(SAN_STAMP)' ] && [ "$$(cat '$(SAN_STAMP)')" = '$(SAN)' ]; } || echo '$(SAN)' > '$(SAN_STAMP)')

# The compiled-in settings, written when make reads this file and replaced
# only when they change, so a build for a scratch home never reuses the
# system one's (and vice versa) and an unchanged one rebuilds nothing.
AUTO_C := $(O)/lib/auto.c
AUTO_TEXT := /* generated by the Makefile from conf-home and conf-split */\nconst char auto_home[] = "$(HOMEDIR)";\nconst unsigned int auto_split = $(SPLIT);\n
$(shell mkdir -p '$(O)/lib' && printf '$(AUTO_TEXT)' > '$(AUTO_C).new' && \
  if cmp -s '$(AUTO_C).new' '$(AUTO_C)'; then rm -f '$(AUTO_C).new'; else mv '$(AUTO_C).new' '$(AUTO_C)'; fi)

$(O)/lib/auto.o: $(O)/lib/auto.c $(SAN_STAMP)
	$(CC_CMD) $(SAN) -Isrc/lib -c -o $@ $<

$(O)/lib/%.o: src/lib/%.c $(SAN_STAMP)
	@mkdir -p $(@D)
	$(CC_CMD) $(SAN) -MMD -MP -Isrc/lib -c -o $@ $<

$(O)/%.o: src/%.c $(SAN_STAMP)
	@mkdir -p $(@D)
	$(CC_CMD) $(SAN) -MMD -MP -Isrc/lib -c -o $@ $<

$(O)/libtern.a: $(LIBOBJ)
	rm -f $@
	ar rcs $@ $^

$(B)/%: $(O)/%.o $(O)/libtern.a $(LIBC_STAMP)
	@mkdir -p $(@D)
	$(LD_CMD) $(SAN) -o $@ $< $(O)/libtern.a $(LDLIBS_$*) $(LDLIBS)

$(O)/tests/%: tests/unit/%.c $(O)/libtern.a $(SAN_STAMP)
	@mkdir -p $(@D)
	$(CC_CMD) $(SAN) -Isrc/lib -o $@ $< $(O)/libtern.a $(LDLIBS)

ifeq ($(LIBC),musl)
$(MO)/include/.linked:
	@command -v $(MUSL_GCC) > /dev/null || { echo "the default build needs $(MUSL_GCC) (Debian: apt-get install musl-tools), or say make LIBC=glibc" >&2; exit 1; }
	@mkdir -p $(@D)
	ln -sfn $(wildcard $(SYSINC)/cdb.h $(SYSINC)/bearssl.h $(SYSINC)/bearssl) $(@D)/
	@touch $@

$(MO)/lib/auto.o: $(O)/lib/auto.c | $(MO)/include/.linked
	@mkdir -p $(@D)
	$(MUSL_CC) -Isrc/lib -c -o $@ $<

$(MO)/lib/%.o: src/lib/%.c | $(MO)/include/.linked
	@mkdir -p $(@D)
	$(MUSL_CC) -MMD -MP -Isrc/lib -c -o $@ $<

$(MO)/%.o: src/%.c | $(MO)/include/.linked
	@mkdir -p $(@D)
	$(MUSL_CC) -MMD -MP -Isrc/lib -c -o $@ $<

$(MO)/libtern.a: $(MUSL_LIBOBJ)
	rm -f $@
	ar rcs $@ $^

$(addprefix $(B)/,$(MUSL_PROGRAMS)): $(B)/%: $(MO)/%.o $(MO)/libtern.a $(MUSL_START) $(LIBC_STAMP)
	@mkdir -p $(@D)
	$(MUSL_LD) -o $@ $(MUSL_CRTBEGIN) $< $(MUSL_START) $(MO)/libtern.a $(call MUSL_LDLIBS_OF,$*) $(MUSL_LDLIBS) $(MUSL_CRTEND)

$(MO)/tests/%: tests/unit/%.c $(MO)/libtern.a $(MUSL_START)
	@mkdir -p $(@D)
	$(MUSL_CC) -Isrc/lib -c -o $@.o $<
	$(MUSL_LD) -o $@ $(MUSL_CRTBEGIN) $@.o $(MUSL_START) $(MO)/libtern.a $(MUSL_LDLIBS) $(MUSL_CRTEND)
endif

# Unit tests of the library: each tests/unit/test-X.c is one program that
# prints TAP-ish "ok"/"not ok" lines and exits non-zero on failure.
unit: $(addprefix $(TO)/tests/,$(UNITS))
	@pass=0; fail=0; for t in $(UNITS); do \
	  if $(TO)/tests/$$t; then pass=$$((pass+1)); else echo "FAIL unit $$t"; fail=$$((fail+1)); fi; \
	done; echo "unit: $$pass passed, $$fail failed"; [ $$fail -eq 0 ]

install: all
	sh scripts/install-tern --home '$(HOMEDIR)' --bin '$(B)' --system

run:
	sh scripts/make-run

test:
	SANITIZE='$(SANITIZE)' LIBC='$(LIBC)' sh tests/run

bench:
	LIBC='$(LIBC)' VS='$(VS)' bash tests/bench/run

fuzz:
	sh tests/fuzz/run

clean:
	rm -rf obj bin

-include $(wildcard $(O)/*.d $(O)/lib/*.d $(if $(MO),$(MO)/*.d $(MO)/lib/*.d))
