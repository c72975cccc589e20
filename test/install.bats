#!/usr/bin/env bats
# Installation: make install puts the binary, the man page and the three
# completions where each one is looked for under PREFIX, unchanged, and
# make uninstall takes every one of them away again.
#
# make install runs once for the file, into a DESTDIR of its own; it
# installs build/usher, which it builds only when that is missing or out of
# date, with the Makefile's own flags (this suite may run from "make
# sanitize", whose binary is build/san/usher, not the one installed).

load test_helper

ROOT=$BATS_TEST_DIRNAME/..
PREFIX=/usr/local

# Where make install puts each file, under DESTDIR, and where it comes from
# in the source tree.
INSTALLED=(
	"bin/usher:build/usher"
	"share/man/man1/usher.1:man1/usher.1"
	"share/bash-completion/completions/usher:completions/usher.bash"
	"share/zsh/site-functions/_usher:completions/_usher"
	"share/fish/vendor_completions.d/usher.fish:completions/usher.fish"
)
# make static's binary too, when it was built (make check builds it).
STATIC=$ROOT/build/usher-static
[ ! -f "$STATIC" ] || INSTALLED+=("bin/usher-static:build/usher-static")

# make_root DESTDIR TARGET: make TARGET with DESTDIR and PREFIX, and none of
# the flags, jobserver or build folder of a make that may be running this
# suite.
make_root() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD -u EXTRA_CFLAGS \
	    -u EXTRA_LDFLAGS make -s -C "$ROOT" "$2" DESTDIR="$1" \
	    PREFIX="$PREFIX"
}

setup_file() {
	make_root "$BATS_FILE_TMPDIR/root" install \
	    >"$BATS_FILE_TMPDIR/install.log" 2>&1 || {
		cat "$BATS_FILE_TMPDIR/install.log" >&3
		return 1
	}
}

setup() {
	R=$BATS_FILE_TMPDIR/root$PREFIX
}

@test "install: every file where it belongs, as it is in the tree" {
	local pair dst src
	for pair in "${INSTALLED[@]}"; do
		dst=$R/${pair%%:*} src=$ROOT/${pair#*:}
		assert_file_exists "$dst"
		# (build/usher may have been rebuilt since: it is run below.)
		[[ $src == */build/* ]] || cmp -s "$src" "$dst" ||
		    fail "$dst differs from $src"
	done
	for pair in "${INSTALLED[@]}"; do
		dst=$R/${pair%%:*}
		if [[ $dst == */bin/* ]]; then
			assert_equal "$(stat -c %a "$dst")" 755
		else
			assert_equal "$(stat -c %a "$dst")" 644
		fi
	done
	# Nothing else: the files above are all that make install writes.
	run find "$BATS_FILE_TMPDIR/root" -type f
	assert_equal "$(sort <<<"$output")" \
	    "$(for pair in "${INSTALLED[@]}"; do
		echo "$R/${pair%%:*}"; done | sort)"
}

@test "install: the installed usher runs" {
	run --separate-stderr "$R/bin/usher" --version
	assert_success
	assert_output --regexp '^usher [0-9]+\.[0-9]+\.[0-9]+$'
	assert_equal "$stderr" ''
	run --separate-stderr "$R/bin/usher" -- sh -c 'exit 3'
	assert_equal "$status" 3
}

@test "install: the installed usher-static runs, and is the one make static built" {
	[ -f "$STATIC" ] || skip "make static has not run (make check runs it)"
	run --separate-stderr "$R/bin/usher-static" --version
	assert_success
	assert_output "$("$R/bin/usher" --version)"
	run --separate-stderr "$R/bin/usher-static" -- sh -c 'exit 3'
	assert_equal "$status" 3
	# Its lines begin "usher: " too, whatever name it was run by.
	run --separate-stderr "$R/bin/usher-static" --report /nonexistent/r.json -- true
	assert_equal "$status" 125
	assert_equal "$stderr" "usher: --report: /nonexistent/r.json: No such file or directory"
	echo junk >"$T/app.pid"
	run --separate-stderr flock "$T/app.pid" "$R/bin/usher-static" \
	    --status -p "$T/app.pid"
	assert_equal "$status" 4
	assert_equal "$stderr" "usher: $T/app.pid: no valid pid in the file"
}

@test "install: man renders the installed page" {
	run --separate-stderr env MANWIDTH=80 man -l "$R/share/man/man1/usher.1"
	assert_success
	assert_equal "$stderr" ''
	assert_line --regexp '^USHER\(1\) '
	assert_line 'EXIT STATUS'
	assert_line 'SEE ALSO'
	assert_line --regexp '^ +usher --status -p pidfile$'
}

@test "install: the installed bash completion loads and completes" {
	run bash --norc -c '
		source /usr/share/bash-completion/bash_completion || exit 2
		source "$1" || exit 2
		COMP_WORDS=(usher --orphans "") COMP_CWORD=2
		COMP_LINE="usher --orphans " COMP_POINT=${#COMP_LINE}
		_usher usher "" --orphans
		printf "%s\n" "${COMPREPLY[@]}"
	' bash "$R/share/bash-completion/completions/usher"
	assert_success
	assert_equal "$(sort <<<"$output")" "$(printf '%s\n' kill leave wait)"
}

@test "uninstall: removes every file that install wrote" {
	local pair
	cp -a "$BATS_FILE_TMPDIR/root" "$T/root"
	run make_root "$T/root" uninstall
	assert_success
	for pair in "${INSTALLED[@]}"; do
		assert_file_not_exists "$T/root$PREFIX/${pair%%:*}"
	done
	run find "$T/root" -type f
	assert_output ''
	# The copy in the other DESTDIR is untouched.
	assert_file_exists "$R/bin/usher"
}
