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
UNIT    := $(wildcard tests/unit/*.c)

CORE_O  := $(CORE:%.c=$(B)/%.o)
SHIM_O  := $(SHIM:%.c=$(B)/%.o)
UNIT_O  := $(UNIT:%.c=$(B)/%.o)

# The sanitizer build lives in its own tree so both can coexist.
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
AB      := $(B)/asan

.PHONY: all lib test test-unit test-integration test-asan test-valgrind demo install clean bench

all: lib
lib: $(B)/liboverlay.so

$(B)/%.o: %.c $(wildcard core/*.h shim/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/liboverlay.so: $(CORE_O) $(SHIM_O)
	$(CC) $(CFLAGS) -shared -Wl,-z,defs -Wl,-soname,liboverlay.so -o $@ $^ $(LDLIBS)

$(B)/unit_tests: $(CORE_O) $(UNIT_O)
	$(CC) $(CFLAGS) -o $@ $^ -lcriterion

$(AB)/%.o: %.c $(wildcard core/*.h shim/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -c -o $@ $<

$(AB)/liboverlay.so: $(CORE:%.c=$(AB)/%.o) $(SHIM:%.c=$(AB)/%.o)
	$(CC) $(CFLAGS) $(SAN) -shared -Wl,-soname,liboverlay.so -o $@ $^ $(LDLIBS)

$(AB)/unit_tests: $(CORE:%.c=$(AB)/%.o) $(UNIT:%.c=$(AB)/%.o)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ -lcriterion

test: test-unit test-integration

test-unit: $(B)/unit_tests
	$(B)/unit_tests --jobs 2

test-integration: $(B)/liboverlay.so
	OVERLAY_LIB=$(CURDIR)/$(B)/liboverlay.so tests/integration/run.sh

test-asan: $(AB)/unit_tests $(AB)/liboverlay.so
	ASAN_OPTIONS=detect_leaks=1 $(AB)/unit_tests --jobs 2
	OVERLAY_SANITIZE=1 OVERLAY_LIB=$(CURDIR)/$(AB)/liboverlay.so tests/integration/run.sh

test-valgrind: $(B)/liboverlay.so
	OVERLAY_LIB=$(CURDIR)/$(B)/liboverlay.so tests/valgrind.sh

demo: $(B)/liboverlay.so
	examples/demo.sh

bench: $(B)/liboverlay.so
	bench/run.sh

install: $(B)/liboverlay.so
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/liboverlay/overlay-run.d
	install -m 0755 $(B)/liboverlay.so $(DESTDIR)$(PREFIX)/lib/liboverlay.so
	install -m 0755 scripts/overlay-run $(DESTDIR)$(PREFIX)/bin/overlay-run
	install -m 0644 scripts/overlay-run.d/*.sh $(DESTDIR)$(PREFIX)/share/liboverlay/overlay-run.d/

clean:
	rm -rf $(B)
