# usher: one plain Makefile.  Outputs go to build/ only.

PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANPREFIX ?= $(PREFIX)/share/man
DATADIR   ?= $(PREFIX)/share
DESTDIR   ?=

CC        ?= cc
BUILD     ?= build
CFLAGS    ?= -O2 -g
# Asked of pkg-config when a recipe runs, not when make starts: on a fresh
# machine, pkg-config and libbsd come with "make deps", the first
# prerequisite of check and demo.
BSD_CFLAGS = $(shell pkg-config --cflags libbsd-overlay 2>/dev/null)
BSD_LIBS   = $(shell pkg-config --libs libbsd-overlay 2>/dev/null)

WARN      = -std=c11 -Wall -Wextra -Werror -pedantic -Wshadow \
	    -Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith \
	    -Wwrite-strings -Wformat=2 -Wvla -Wundef
HARDEN    = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
HARDEN_LD = -pie -Wl,-z,relro,-z,now
SAN       = -fsanitize=address,undefined -fno-omit-frame-pointer \
	    -fno-sanitize-recover=all

ALL_CPPFLAGS = -D_GNU_SOURCE -Isrc $(BSD_CFLAGS) $(CPPFLAGS)
ALL_CFLAGS   = $(WARN) $(CFLAGS) $(EXTRA_CFLAGS)
ALL_LDFLAGS  = $(LDFLAGS) $(EXTRA_LDFLAGS)
LDLIBS      += $(BSD_LIBS)

SRC = src/num.c src/duration.c src/signame.c src/signals.c src/jobctl.c src/user.c \
      src/envops.c src/fdmap.c src/spawn.c src/supervise.c src/status.c \
      src/vlog.c src/proctree.c src/report.c src/path.c src/pidlock.c \
      src/ready.c src/daemon.c src/ttyguard.c src/errline.c src/run.c \
      src/sendq.c src/deadline.c src/link.c
OBJ = $(SRC:src/%.c=$(BUILD)/obj/%.o)
HELPERS = $(patsubst test/helpers/%.c,$(BUILD)/helpers/%,\
	  $(wildcard test/helpers/*.c))

.PHONY: all check sanitize lint valgrind fuzz deps deps-fuzz deps-lint \
	deps-valgrind deps-deb demo install uninstall clean helpers static deb

all: $(BUILD)/usher

$(BUILD)/obj/%.o: src/%.c src/*.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(HARDEN) -c -o $@ $<

$(BUILD)/libusher.a: $(OBJ)
	rm -f $@
	ar rcs $@ $(OBJ)

$(BUILD)/obj/usher.o: cmd/usher.c src/*.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(HARDEN) -c -o $@ cmd/usher.c

$(BUILD)/usher: $(BUILD)/obj/usher.o $(BUILD)/libusher.a
	$(CC) $(ALL_CFLAGS) $(HARDEN) $(HARDEN_LD) $(ALL_LDFLAGS) -o $@ \
	    $(BUILD)/obj/usher.o $(BUILD)/libusher.a $(LDLIBS)

$(BUILD)/helpers/%: test/helpers/%.c $(BUILD)/libusher.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< \
	    $(BUILD)/libusher.a $(LDLIBS) -lutil

helpers: $(HELPERS)

# make static: build/usher-static, with no run-time dependency at all, for
# an image FROM scratch: static-pie where the toolchain can, libbsd and
# libmd linked in.  Its own objects (build/static/), since it resolves -u
# from /etc/passwd and /etc/group alone (user.c says why).
STATIC_LD = $(shell echo 'int main(void){return 0;}' | \
	    $(CC) -static-pie -x c - -o /dev/null 2>/dev/null && \
	    echo -static-pie || echo -static)
static:
	$(MAKE) BUILD=$(BUILD)/static EXTRA_CFLAGS="-DUSHER_FILES_ONLY" \
	    HARDEN_LD="$(STATIC_LD) -Wl,-z,relro,-z,now" \
	    LDLIBS="$$(pkg-config --static --libs libbsd-overlay)" \
	    $(BUILD)/static/usher
	cp $(BUILD)/static/usher $(BUILD)/usher-static

# Install the Debian packages that building and testing need, when any
# is missing.  Run as root on Debian 12.  Each target that needs more than
# the build and the suite installs its own list the same way.
DEPS = gcc make libc6-dev libbsd-dev pkg-config bats bats-assert \
       bats-support bats-file mandoc manpages manpages-dev jq perl \
       util-linux procps man-db bash-completion zsh fish runc \
       busybox-static
FUZZ_DEPS = clang libclang-rt-14-dev llvm
LINT_DEPS = mandoc shellcheck clang-tidy git
VALGRIND_DEPS = valgrind
DEB_DEPS = debhelper dpkg-dev fakeroot lintian libmd-dev
INSTALL_MISSING = missing=""; for p in $$want; do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
	    grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	    echo "make deps: installing$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $$missing; \
	fi
deps:
	@want="$(DEPS)"; $(INSTALL_MISSING)
deps-fuzz:
	@want="$(FUZZ_DEPS)"; $(INSTALL_MISSING)
deps-lint:
	@want="$(LINT_DEPS)"; $(INSTALL_MISSING)
deps-valgrind:
	@want="$(VALGRIND_DEPS)"; $(INSTALL_MISSING)
deps-deb:
	@want="$(DEB_DEPS)"; $(INSTALL_MISSING)

# test/container.bats runs build/usher-static under runc, in check and
# in sanitize alike: a static binary is not sanitized.
check: deps
	$(MAKE) all helpers static
	USHER=$(CURDIR)/$(BUILD)/usher HELPERS=$(CURDIR)/$(BUILD)/helpers \
	    USHER_STATIC=$(CURDIR)/$(BUILD)/usher-static test/run check

sanitize: deps
	$(MAKE) BUILD=build/san EXTRA_CFLAGS="$(SAN)" \
	    EXTRA_LDFLAGS="$(SAN)" HARDEN="-fstack-protector-strong -fPIE" \
	    all helpers
	$(MAKE) static
	USHER=$(CURDIR)/build/san/usher HELPERS=$(CURDIR)/build/san/helpers \
	    USHER_STATIC=$(CURDIR)/$(BUILD)/usher-static test/run sanitize

# libFuzzer harnesses: test/fuzz/fuzz_NAME.c, each built with every
# module of src/ under clang's fuzzer, address and undefined sanitizers,
# and run for FUZZ_SECONDS from its seeds in test/fuzz/corpus/NAME/.
# fuzz_options.c includes cmd/usher.c, hence the dependency.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 20
FUZZ_FLAGS    = -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZERS = $(patsubst test/fuzz/%.c,$(BUILD)/fuzz/%,\
	  $(wildcard test/fuzz/fuzz_*.c))

$(BUILD)/fuzz/%: test/fuzz/%.c test/fuzz/*.h $(SRC) src/*.h cmd/usher.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(ALL_CPPFLAGS) -Itest/fuzz $(WARN) $(FUZZ_FLAGS) -o $@ \
	    $< $(SRC) $(BSD_LIBS)

fuzz: deps deps-fuzz
	$(MAKE) $(FUZZERS)
	test/fuzz/run $(FUZZ_SECONDS) $(FUZZERS)

demo: deps all
	USHER=$(CURDIR)/$(BUILD)/usher test/demo

# mandoc, shellcheck and clang-tidy (checks in .clang-tidy) over the tree,
# clang-tidy with the flags and warnings the build uses.  Ends "lint: clean" only when
# every linter is; .ci/run looks for that line.
lint: deps deps-lint
	LINT_CPPFLAGS="$(ALL_CPPFLAGS)" LINT_CFLAGS="$(WARN)" test/lint

# usher under valgrind's memcheck, in each of its modes and for each kind
# of error: no memory error, no definite leak.
valgrind: deps deps-valgrind
	$(MAKE) all helpers
	USHER=$(CURDIR)/$(BUILD)/usher HELPERS=$(CURDIR)/$(BUILD)/helpers \
	    test/valgrind

# make deb: the Debian package (debian/), built from a copy of the tree in
# $(BUILD)/deb, where the .deb lands; lintian must find no error or
# warning in it.
deb: deps deps-deb
	rm -rf $(BUILD)/deb
	mkdir -p $(BUILD)/deb/usher
	tar -c --exclude=./build --exclude=./.git . | tar -x -C $(BUILD)/deb/usher
	cd $(BUILD)/deb/usher && dpkg-buildpackage -us -uc -b
	lintian --fail-on error,warning --info $(BUILD)/deb/*.changes
	@ls $(BUILD)/deb/*.deb

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANPREFIX)/man1 \
	    $(DESTDIR)$(DATADIR)/bash-completion/completions \
	    $(DESTDIR)$(DATADIR)/zsh/site-functions \
	    $(DESTDIR)$(DATADIR)/fish/vendor_completions.d
	install -m 755 $(BUILD)/usher $(DESTDIR)$(BINDIR)/usher
	if [ -f $(BUILD)/usher-static ]; then install -m 755 \
	    $(BUILD)/usher-static $(DESTDIR)$(BINDIR)/usher-static; fi
	install -m 644 man1/usher.1 $(DESTDIR)$(MANPREFIX)/man1/usher.1
	install -m 644 completions/usher.bash \
	    $(DESTDIR)$(DATADIR)/bash-completion/completions/usher
	install -m 644 completions/_usher \
	    $(DESTDIR)$(DATADIR)/zsh/site-functions/_usher
	install -m 644 completions/usher.fish \
	    $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/usher.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/usher $(DESTDIR)$(BINDIR)/usher-static \
	    $(DESTDIR)$(MANPREFIX)/man1/usher.1 \
	    $(DESTDIR)$(DATADIR)/bash-completion/completions/usher \
	    $(DESTDIR)$(DATADIR)/zsh/site-functions/_usher \
	    $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/usher.fish

clean:
	rm -rf build
