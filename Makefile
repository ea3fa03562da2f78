# liboverlay build.  `make` builds build/liboverlay.so; `make test` runs the
# unit tests of core/ and the integration tests of real programs under the
# library; `make test-asan` does both with AddressSanitizer + UBSan.

CC      ?= cc
PREFIX  ?= /usr/local
WARN    := -Wall -Wextra -Werror
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 $(WARN) -fPIC -fvisibility=hidden -D_GNU_SOURCE -Icore
LDLIBS  := -ldl

B       := build
CORE    := $(wildcard core/*.c)
SHIM    := $(wildcard shim/*.c)
SUP     := $(wildcard supervisor/*.c)
UNIT    := $(wildcard tests/unit/*.c)

CORE_O  := $(CORE:%.c=$(B)/%.o)
SHIM_O  := $(SHIM:%.c=$(B)/%.o)
SUP_O   := $(SUP:%.c=$(B)/%.o)
UNIT_O  := $(UNIT:%.c=$(B)/%.o)

# The sanitizer build lives in its own tree so both can coexist.
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
AB      := $(B)/asan

# ThreadSanitizer, for the concurrent paths (the race tests), in a tree of
# its own too.
TSAN    := -fsanitize=thread -fno-omit-frame-pointer
TB      := $(B)/tsan

# The differential fuzzer against the kernel's overlayfs (SKIP where it
# cannot be mounted): a bounded set of seeds in make test, a campaign of
# FUZZ_OPS operations in make fuzz.
FUZZ_OPS ?= 100000

.PHONY: all lib test test-unit test-integration test-fuzz fuzz stress test-asan test-tsan test-valgrind demo install clean bench

all: lib
lib: $(B)/liboverlay.so $(B)/overlay-supervise

$(B)/%.o: %.c $(wildcard core/*.h shim/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/supervisor/%.o: supervisor/%.c $(wildcard core/*.h supervisor/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/liboverlay.so: $(CORE_O) $(SHIM_O)
	$(CC) $(CFLAGS) -shared -Wl,-z,defs -Wl,-soname,liboverlay.so -o $@ $^ $(LDLIBS)

# The supervisor: the second front end of core/, for programs the library
# cannot enter (supervisor/supervise.h).  Static, so that the LD_PRELOAD it
# passes on to its target never loads the library into the supervisor.
$(B)/overlay-supervise: $(CORE_O) $(SUP_O)
	$(CC) $(CFLAGS) -static -o $@ $^

$(B)/unit_tests: $(CORE_O) $(UNIT_O)
	$(CC) $(CFLAGS) -o $@ $^ -lcriterion

$(AB)/%.o: %.c $(wildcard core/*.h shim/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -c -o $@ $<

$(AB)/liboverlay.so: $(CORE:%.c=$(AB)/%.o) $(SHIM:%.c=$(AB)/%.o)
	$(CC) $(CFLAGS) $(SAN) -shared -Wl,-soname,liboverlay.so -o $@ $^ $(LDLIBS)

# The exec wrappers look for the supervisor beside the library: each
# sanitizer build gets a copy (the supervisor itself is not instrumented).
$(AB)/overlay-supervise $(TB)/overlay-supervise: $(B)/overlay-supervise
	@mkdir -p $(dir $@)
	cp $< $@

$(AB)/unit_tests: $(CORE:%.c=$(AB)/%.o) $(UNIT:%.c=$(AB)/%.o)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ -lcriterion

test: test-unit test-integration test-fuzz

test-unit: $(B)/unit_tests
	$(B)/unit_tests --jobs 2

test-integration: $(B)/liboverlay.so $(B)/overlay-supervise
	OVERLAY_LIB=$(abspath $(B)/liboverlay.so) tests/integration/run.sh

$(TB)/%.o: %.c $(wildcard core/*.h shim/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TSAN) -c -o $@ $<

$(TB)/liboverlay.so: $(CORE:%.c=$(TB)/%.o) $(SHIM:%.c=$(TB)/%.o)
	$(CC) $(CFLAGS) $(TSAN) -shared -Wl,-soname,liboverlay.so -o $@ $^ $(LDLIBS)

# The race tests with the library built with ThreadSanitizer (its runtime
# preloaded first); any report fails the run.
test-tsan: $(TB)/liboverlay.so $(TB)/overlay-supervise
	OVERLAY_SANITIZE=thread OVERLAY_LIB=$(abspath $(TB)/liboverlay.so) tests/integration/run.sh t_races

# The bounded set of seeds, then 20 of them through the supervisor (the
# second front end against the same oracle).
test-fuzz: $(B)/liboverlay.so $(B)/overlay-supervise
	python3 tests/fuzz/fuzz.py --lib $(abspath $(B)/liboverlay.so)
	FUZZ_SUPERVISE=1 python3 tests/fuzz/fuzz.py --lib $(abspath $(B)/liboverlay.so) --seeds 20

# The long campaigns of issue "Reliability": 1000 kill trials with one and
# with two workers, and 100 trials of each two-process race.
KILL_TRIALS ?= 1000
stress: $(B)/liboverlay.so
	python3 tests/stress/kill.py --lib $(abspath $(B)/liboverlay.so) --trials $(KILL_TRIALS) --workers 1
	python3 tests/stress/kill.py --lib $(abspath $(B)/liboverlay.so) --trials $(KILL_TRIALS) --workers 2 --seed 2
	OVERLAY_RACE_RUNS=100 OVERLAY_LIB=$(abspath $(B)/liboverlay.so) tests/integration/run.sh t_races

fuzz: $(B)/liboverlay.so
	FUZZ_OPS=$(FUZZ_OPS) python3 tests/fuzz/fuzz.py --lib $(abspath $(B)/liboverlay.so) --minimize

test-asan: $(AB)/unit_tests $(AB)/liboverlay.so $(AB)/overlay-supervise
	ASAN_OPTIONS=detect_leaks=1 $(AB)/unit_tests --jobs 2
	OVERLAY_SANITIZE=1 OVERLAY_LIB=$(abspath $(AB)/liboverlay.so) tests/integration/run.sh

test-valgrind: $(B)/liboverlay.so $(B)/overlay-supervise
	OVERLAY_LIB=$(abspath $(B)/liboverlay.so) tests/valgrind.sh

demo: $(B)/liboverlay.so
	examples/demo.sh

bench: $(B)/liboverlay.so
	bench/run.sh

# make install / make uninstall [PREFIX=/usr/local] [DESTDIR=] and, each
# defaulting to its place under PREFIX: BINDIR (overlay-run), LIBDIR (the
# directory of liboverlay.so: PREFIX/lib), DATADIR (liboverlay/overlay-run.d,
# the subcommands), MANDIR, BASHCOMPDIR.  The installed overlay-run finds
# the library and the subcommands by their paths relative to BINDIR.
BINDIR      ?= $(PREFIX)/bin
LIBDIR      ?= $(PREFIX)/lib
DATADIR     ?= $(PREFIX)/share
MANDIR      ?= $(DATADIR)/man
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
SUBDIR      := $(DATADIR)/liboverlay/overlay-run.d
SUBS        := $(notdir $(wildcard scripts/overlay-run.d/*.sh))
from_bin     = $(shell realpath -m --relative-to='$(BINDIR)' '$(1)')

.PHONY: uninstall
install: $(B)/liboverlay.so $(B)/overlay-supervise
	install -d '$(DESTDIR)$(BINDIR)' '$(DESTDIR)$(LIBDIR)' '$(DESTDIR)$(SUBDIR)' \
		'$(DESTDIR)$(MANDIR)/man1' '$(DESTDIR)$(MANDIR)/man7' '$(DESTDIR)$(BASHCOMPDIR)'
	install -m 0644 $(B)/liboverlay.so '$(DESTDIR)$(LIBDIR)/liboverlay.so'
	install -m 0755 $(B)/overlay-supervise '$(DESTDIR)$(LIBDIR)/overlay-supervise'
	sed "s|^INSTALLED_LIB=.*|INSTALLED_LIB='$(call from_bin,$(LIBDIR))' INSTALLED_SUB='$(call from_bin,$(SUBDIR))'|" \
		scripts/overlay-run >'$(DESTDIR)$(BINDIR)/overlay-run.tmp'
	chmod 0755 '$(DESTDIR)$(BINDIR)/overlay-run.tmp'
	mv -f '$(DESTDIR)$(BINDIR)/overlay-run.tmp' '$(DESTDIR)$(BINDIR)/overlay-run'
	install -m 0644 scripts/overlay-run.d/*.sh '$(DESTDIR)$(SUBDIR)/'
	install -m 0644 man/overlay-run.1 '$(DESTDIR)$(MANDIR)/man1/overlay-run.1'
	install -m 0644 man/liboverlay.7 '$(DESTDIR)$(MANDIR)/man7/liboverlay.7'
	install -m 0644 completion/overlay-run '$(DESTDIR)$(BASHCOMPDIR)/overlay-run'

uninstall:
	rm -f '$(DESTDIR)$(BINDIR)/overlay-run' '$(DESTDIR)$(LIBDIR)/liboverlay.so' \
		'$(DESTDIR)$(LIBDIR)/overlay-supervise' \
		$(SUBS:%='$(DESTDIR)$(SUBDIR)/%') '$(DESTDIR)$(MANDIR)/man1/overlay-run.1' \
		'$(DESTDIR)$(MANDIR)/man7/liboverlay.7' '$(DESTDIR)$(BASHCOMPDIR)/overlay-run'
	rmdir '$(DESTDIR)$(SUBDIR)' '$(DESTDIR)$(DATADIR)/liboverlay' 2>/dev/null || true
	case '$(LIBDIR)' in */liboverlay) rmdir '$(DESTDIR)$(LIBDIR)' 2>/dev/null || true;; esac

clean:
	rm -rf $(B)
