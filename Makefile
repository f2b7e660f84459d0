# kwhy — explains refused connections and OOM kills, from kernel tracepoints.
#
#   make                 build/kwhy (BPF object embedded via a bpftool skeleton)
#   make STATIC=1        a fully static build/kwhy, to copy onto a sick box
#   make run             (root) install missing Debian packages, build, watch the host
#   make test            (root) install test packages, unit tests, integration tests
#                        here and in a Debian 12 6.1 VM (../shared/vmtest), a
#                        short fuzzing run of every fuzz target
#   make fuzz            (clang) a long fuzzing campaign: FUZZ_SECS per target
#   make unit            unit tests only (no root)
#   make SAN=1 unit      the same built with clang, ASan and UBSan (under build/san)
#   make check-layout    the folder rules of user/ (tests/layout/check.sh)
#   make golden          offline output of recorded traces, byte for byte
#   make bench           (root) the benchmark: bench/RESULTS.md (~7 min)
#   make deps            install the Debian packages the build and tests need
#   make install         PREFIX=/usr/local DESTDIR=: the binary, kwhy(8), bash
#                        completion and the systemd unit (the Debian package's set)
#   make deb             build/deb/kwhy_*.deb with dpkg-buildpackage (deploy/debian)
#   make pkgtest         (root) kwhy report in headless Chromium, the man page,
#                        completion, unit, DaemonSet and Debian package
#   make image           kwhy:latest, a FROM-scratch image of the static binary,
#                        imported into the local Docker (no registry)
#   make vmlinux         regenerate vmlinux/$(ARCH)/vmlinux.h from this kernel
#   V=1                  show commands

ARCH ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
ifeq ($(SAN),1)
OUT ?= build/san
else
OUT ?= build
endif
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR ?= $(PREFIX)/lib/systemd/system

CC ?= cc
CLANG ?= clang
BPFTOOL ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)

# KWHY_VERSION comes from git when there is one
KWHY_VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo 0.1)

CFLAGS ?= -O2 -g
# messages are built with snprintf into fixed buffers: truncation is the
# intended bound, not a bug, hence -Wno-format-truncation
KW_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers \
	-Wno-format-truncation \
	-MMD -MP -Iinclude -Iuser -I$(OUT) -D_GNU_SOURCE
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	-MMD -MP -Ivmlinux/$(ARCH) -Iinclude
# -pthread: the trace writer and the OTLP push have threads of their own
LDLIBS := -lbpf -lelf -lz -lseccomp -pthread
ifeq ($(STATIC),1)
LDFLAGS += -static
LDLIBS += -lzstd
endif
# OTLP push (--otlp-endpoint) loads libcurl with dlopen when asked
# (user/net/curl_dl.h), so a kwhy that does not push maps none of it; the
# static build goes without: Debian ships no static archives of libcurl's
# dependencies (user/net/otlp_push.h)
# SAN=1: AddressSanitizer and UndefinedBehaviorSanitizer, a finding aborts
ifeq ($(SAN),1)
CC := clang
CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
	-Wno-unknown-warning-option
LDFLAGS += -fsanitize=address,undefined
endif

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUT)/bpf/%.bpf.o,$(BPF_SRCS))
SKEL := $(OUT)/kwhy.skel.h

# userspace: one folder per pipeline stage (README "Layout").  Everything
# but cmd/ is libkwhy.a; the unit tests link it with cmd/ less main.c.
# Files that need the skeleton are listed in SKEL_USERS.
USER_DIRS := cmd kernel core host trace output net util
USER_SRCS := $(wildcard $(patsubst %,user/%/*.c,$(USER_DIRS)))
# one of the two OTLP pushes: with libcurl, or the static build's none
ifeq ($(STATIC),1)
USER_SRCS := $(filter-out user/net/otlp_push.c user/net/curl_dl.c,$(USER_SRCS))
else
USER_SRCS := $(filter-out user/net/otlp_push_none.c,$(USER_SRCS))
endif
USER_OBJS := $(patsubst user/%.c,$(OUT)/user/%.o,$(USER_SRCS))
CMD_OBJS := $(filter $(OUT)/user/cmd/%,$(USER_OBJS))
LIB_OBJS := $(filter-out $(CMD_OBJS),$(USER_OBJS))
LIBKWHY := $(OUT)/libkwhy.a
SKEL_USERS := $(OUT)/user/kernel/loader.o $(OUT)/user/kernel/kstats.o

# tests/lib: helpers shared by the unit and integration tests
TLIB_SRCS := $(wildcard tests/lib/*.c)
TLIB_OBJS := $(patsubst tests/lib/%.c,$(OUT)/tests/lib/%.o,$(TLIB_SRCS))
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_OBJS := $(patsubst tests/unit/%.c,$(OUT)/tests/unit/%.o,$(UNIT_SRCS))
ITEST_SRCS := $(wildcard tests/integration/*.c)
ITEST_BINS := $(patsubst tests/integration/%.c,$(OUT)/tests/%,$(ITEST_SRCS))

.PHONY: FORCE image all clean unit test itest check-layout golden deps deps-test run install vmlinux vmtest fuzz-smoke fuzz fuzz-bins \
	bench bench-smoke deb pkgtest
.DELETE_ON_ERROR:
.SECONDARY:

all: $(OUT)/kwhy

$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c | $(OUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/kwhy.bpf.o: $(BPF_OBJS)
	$(call msg,LINK-BPF,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(SKEL): $(OUT)/kwhy.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name kwhy_bpf > $@

$(SKEL_USERS): $(SKEL)

# the version lives in one object, rebuilt when `git describe` changes
$(OUT)/version.txt: FORCE
	$(Q)mkdir -p $(@D)
	$(Q)echo '$(KWHY_VERSION)' | cmp -s - $@ || echo '$(KWHY_VERSION)' > $@

$(OUT)/user/util/version.o: $(OUT)/version.txt
$(OUT)/user/util/version.o: KW_CFLAGS += -DKWHY_VERSION='"$(KWHY_VERSION)"'

$(OUT)/user/%.o: user/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(KW_CFLAGS) -c $< -o $@

$(LIBKWHY): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUT)/kwhy: $(CMD_OBJS) $(LIBKWHY)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

# ---- tests ----
$(OUT)/tests/unit/%.o: tests/unit/%.c | $(OUT)/tests/unit
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(KW_CFLAGS) -Itests/lib -c $< -o $@

$(OUT)/tests/lib/%.o: tests/lib/%.c | $(OUT)/tests/lib
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(KW_CFLAGS) -c $< -o $@

$(OUT)/tests/unit-tests: $(UNIT_OBJS) $(filter-out $(OUT)/user/cmd/main.o,$(CMD_OBJS)) \
		$(TLIB_OBJS) $(LIBKWHY)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(shell pkg-config --libs check) $(LDLIBS) -o $@

# integration programs are static so they also run in the 6.1 VM; they
# parse kwhy's output with user/util/jsonq.c
$(OUT)/tests/%: tests/integration/%.c $(TLIB_OBJS) $(OUT)/user/util/jsonq.o | $(OUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(KW_CFLAGS) -Itests/lib -static $< $(TLIB_OBJS) $(OUT)/user/util/jsonq.o -o $@

unit: $(OUT)/tests/unit-tests
	$(OUT)/tests/unit-tests

itest: $(OUT)/kwhy $(ITEST_BINS)
	tests/integration/run.sh	# kwhy-itest, -xtest, -mtest, -htest, -utest, -ttest
	tests/integration/trace-kill.sh
	tests/integration/trace-roundtrip.sh
	tests/docker/run.sh
	$(OUT)/tests/kwhy-gtest --kwhy $(OUT)/kwhy

# the layout rules of user/ (README "Layout"), and that they catch violations
check-layout:
	tests/layout/check.sh
	tests/layout/check.sh --selftest

# replay, info and every export format of recorded traces, byte for byte
golden: $(OUT)/kwhy
	tests/golden/run.sh $(OUT)/kwhy

# one command for everything; stops at the first failing stage
test: deps-test
	$(MAKE) check-layout
	$(MAKE) unit
	$(MAKE) golden
	$(MAKE) itest
	$(MAKE) pkgtest
	$(MAKE) vmtest
	$(MAKE) fuzz-smoke
	$(MAKE) bench-smoke

vmtest: $(ITEST_BINS)
	$(MAKE) STATIC=1 OUT=$(OUT)/static $(OUT)/static/kwhy
	tests/vm/run.sh $(OUT)/static/kwhy

# ---- fuzzing (tests/fuzz/README.md) ----
# libFuzzer targets under ASan and UBSan: fuzz_trace (the trace reader)
# and fuzz_pipeline (everything after it: the pipeline and every
# renderer); mkseeds writes fuzz_pipeline's seeds.  The library objects
# are built once with coverage instrumentation for libFuzzer.
FUZZ_OUT := $(OUT)/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) -Wno-unknown-warning-option
# (output/status.c names the plan's and the sandbox's items: kernel/plan.c
# and kernel/sandbox.c come along)
FUZZ_LIB_SRCS := $(wildcard user/core/*.c user/output/*.c user/util/*.c user/trace/*.c) \
	user/kernel/plan.c user/kernel/sandbox.c
FUZZ_LIB_OBJS := $(patsubst %.c,$(FUZZ_OUT)/obj/%.o,$(FUZZ_LIB_SRCS))
FUZZ_BINS := $(FUZZ_OUT)/fuzz_trace $(FUZZ_OUT)/fuzz_pipeline $(FUZZ_OUT)/mkseeds
FUZZ_SECS ?= 600

$(FUZZ_OUT)/obj/%.o: %.c
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(FUZZ_COV) $(KW_CFLAGS) -c $< -o $@

# libFuzzer's coverage instrumentation, but for the outputs' JSON checker
FUZZ_COV := -fsanitize=fuzzer-no-link
$(FUZZ_OUT)/obj/tests/fuzz/jsoncheck.o: FUZZ_COV :=

$(FUZZ_OUT)/obj/user/util/version.o: KW_CFLAGS += -DKWHY_VERSION='"fuzz"'

$(FUZZ_OUT)/libkwhy-fuzz.a: $(FUZZ_LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_OUT)/fuzz_trace: $(FUZZ_OUT)/obj/tests/fuzz/fuzz_trace.o $(FUZZ_OUT)/libkwhy-fuzz.a
	$(call msg,FUZZ-LD,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ -lz -lseccomp -o $@

$(FUZZ_OUT)/fuzz_pipeline: $(FUZZ_OUT)/obj/tests/fuzz/fuzz_pipeline.o \
		$(FUZZ_OUT)/obj/tests/fuzz/fuzz_mutate.o $(FUZZ_OUT)/obj/tests/fuzz/jsoncheck.o \
		$(FUZZ_OUT)/libkwhy-fuzz.a
	$(call msg,FUZZ-LD,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ -lz -lseccomp -o $@

$(FUZZ_OUT)/mkseeds: $(FUZZ_OUT)/obj/tests/fuzz/mkseeds.o $(FUZZ_OUT)/libkwhy-fuzz.a
	$(call msg,FUZZ-LD,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $^ -lz -lseccomp -o $@

fuzz-bins: $(FUZZ_BINS)

# bounded: CI runs it on every submission (every target, 25 s each, from
# the committed seeds and regressions)
fuzz-smoke: fuzz-bins
	OUT=$(OUT) tests/fuzz/run.sh --fresh --target all 25

# a long campaign: FUZZ_SECS (default 600) per target, on the working
# corpus earlier runs grew
fuzz: fuzz-bins
	OUT=$(OUT) tests/fuzz/run.sh --target all $(FUZZ_SECS)

# the benchmark (root): bench/RESULTS.md; the smoke run keeps it from rotting
bench:
	bench/run.sh

bench-smoke:
	bench/run.sh --quick

deps:
	tests/deps.sh

deps-test:
	tests/deps.sh --test

run: deps
	$(MAKE) all
	./$(OUT)/kwhy watch

# the same set as the Debian package (deploy/debian); the unit runs
# $(BINDIR)/kwhy
install: $(OUT)/kwhy
	install -D -m 0755 $(OUT)/kwhy $(DESTDIR)$(BINDIR)/kwhy
	install -D -m 0644 deploy/man/kwhy.8 $(DESTDIR)$(MANDIR)/man8/kwhy.8
	install -D -m 0644 deploy/completion/kwhy $(DESTDIR)$(COMPLETIONDIR)/kwhy
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/bin/kwhy|$(BINDIR)/kwhy|g' deploy/systemd/kwhy.service > \
		$(DESTDIR)$(UNITDIR)/kwhy.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/kwhy.service

# the Debian package: the source tree staged in $(OUT)/deb/kwhy with
# deploy/debian as its debian/, built there by dpkg-buildpackage (binary
# only, unsigned); the .deb lands in $(OUT)/deb
deb:
	$(Q)rm -rf $(OUT)/deb && mkdir -p $(OUT)/deb/kwhy
	$(Q)tar --exclude=./$(OUT) --exclude=./build --exclude=./.git -cf - . | \
		tar -C $(OUT)/deb/kwhy -xf -
	$(Q)cp -r deploy/debian $(OUT)/deb/kwhy/debian
	cd $(OUT)/deb/kwhy && KWHY_VERSION='$(KWHY_VERSION)' dpkg-buildpackage -us -uc -b
	@ls $(OUT)/deb/*.deb

# report in Chromium, packaging (root: records a trace, installs the package)
pkgtest: $(OUT)/kwhy $(OUT)/tests/kwhy-itest
	tests/report/run.sh $(OUT)/kwhy
	tests/pkg/run.sh $(OUT)/kwhy

# kwhy as a container (how fleets run it): the static binary alone, made
# with `docker import` so that no builder and no registry are needed
DOCKER ?= $(shell test -x /usr/bin/docker && echo /usr/bin/docker || echo docker)
image:
	$(MAKE) STATIC=1 OUT=$(OUT)/static $(OUT)/static/kwhy
	$(Q)rm -rf $(OUT)/image && mkdir -p $(OUT)/image && cp $(OUT)/static/kwhy $(OUT)/image/kwhy
	$(Q)tar -C $(OUT)/image -c kwhy | $(DOCKER) import --change 'ENTRYPOINT ["/kwhy"]' \
		-m 'kwhy $(KWHY_VERSION)' - kwhy:latest >/dev/null
	@echo "  IMAGE    kwhy:latest (kwhy $(KWHY_VERSION))"

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/$(ARCH)/vmlinux.h

$(OUT)/bpf $(OUT)/tests $(OUT)/tests/unit $(OUT)/tests/lib:
	$(Q)mkdir -p $@

clean:
	rm -rf $(OUT)

-include $(wildcard $(OUT)/bpf/*.d $(OUT)/user/*/*.d $(OUT)/tests/unit/*.d $(OUT)/tests/lib/*.d \
	$(OUT)/tests/*.d $(FUZZ_OUT)/obj/*/*/*.d)
