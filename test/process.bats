#!/usr/bin/env bats
# What the command inherits (SPEC §8) and the options that change it:
# -C, -m, -E, -U, -u.

load test_helper

@test "the command gets the caller's cwd, umask, environment and rlimits" {
	cd "$T"
	run bash -c 'umask 0027; ulimit -n 200; export PROBE_X=hello
	    exec "$0" -- sh -c "ulimit -n; exec \"\$0\" -r \"\$1\" -e PROBE_X" \
	    "$1" "$2/rep"' "$USHER" "$PROBE" "$T"
	assert_equal "$status" 0
	assert_output 200
	assert_equal "$(field "$T/rep" cwd)" "$T"
	assert_equal "$(field "$T/rep" umask)" 0027
	assert_equal "$(field "$T/rep" env.PROBE_X)" hello
}

@test "no fd of usher's own reaches the command" {
	run "$PROBE" -r "$T/plain" 5>"$T/five"
	run "$USHER" -- "$PROBE" -r "$T/rep" 5>"$T/five"
	assert_equal "$status" 0
	assert_equal "$(field "$T/rep" fds)" "$(field "$T/plain" fds)"
	assert_equal "$(field "$T/rep" fd.5)" "$T/five"
	run "$USHER" -s -- "$PROBE" -r "$T/rep2" 5>"$T/five"
	assert_equal "$(field "$T/rep2" fds)" "$(field "$T/plain" fds)"
}

@test "-C runs the command in DIR, relative to the caller's cwd" {
	mkdir "$T/sub"
	cd "$T"
	run "$USHER" -C sub -- "$PROBE" -r "$T/rep"
	assert_equal "$status" 0
	assert_equal "$(field "$T/rep" cwd)" "$T/sub"
}

@test "-m sets the command's umask, and only the command's" {
	run "$USHER" -m 077 -- "$PROBE" -r "$T/rep"
	assert_equal "$(field "$T/rep" umask)" 0077
	run "$USHER" -m 2 -- "$PROBE" -r "$T/rep2"
	assert_equal "$(field "$T/rep2" umask)" 0002
}

@test "-E sets and -U removes variables, in order" {
	run env USHER_A=old USHER_B=gone "$USHER" -E USHER_A=new -E USHER_C=x=y \
	    -U USHER_B -E USHER_D=1 -U USHER_D -- "$PROBE" -r "$T/rep" \
	    -e USHER_A -e USHER_B -e USHER_C -e USHER_D
	assert_equal "$status" 0
	assert_equal "$(field "$T/rep" env.USHER_A)" new
	assert_equal "$(field "$T/rep" env.USHER_C)" x=y
	assert_equal "$(field "$T/rep" unset.USHER_B)" 1
	assert_equal "$(field "$T/rep" unset.USHER_D)" 1
	assert_equal "$(grep -c '^env.USHER_A=' "$T/rep")" 1
}

@test "-u USER runs the command as USER with its groups and account variables" {
	[ "$(id -u)" = 0 ] || fail "this test needs root"
	run "$USHER" -u nobody -- "$PROBE" -r - -e HOME -e USER -e LOGNAME -e SHELL
	assert_equal "$status" 0
	echo "$output" >"$T/rep"
	assert_equal "$(field "$T/rep" uid)" "$(id -u nobody)"
	assert_equal "$(field "$T/rep" euid)" "$(id -u nobody)"
	assert_equal "$(field "$T/rep" gid)" "$(id -g nobody)"
	assert_equal "$(field "$T/rep" groups)" "$(id -G nobody | tr ' ' ,)"
	assert_equal "$(field "$T/rep" env.USER)" nobody
	assert_equal "$(field "$T/rep" env.LOGNAME)" nobody
	assert_equal "$(field "$T/rep" env.HOME)" "$(getent passwd nobody | cut -d: -f6)"
	assert_equal "$(field "$T/rep" env.SHELL)" "$(getent passwd nobody | cut -d: -f7)"
}

@test "-u USER:GROUP and numeric ids; -E overrides the account's variables" {
	[ "$(id -u)" = 0 ] || fail "this test needs root"
	run "$USHER" -u nobody:daemon -E HOME=/x -- "$PROBE" -r - -e HOME
	echo "$output" >"$T/rep"
	assert_equal "$(field "$T/rep" uid)" "$(id -u nobody)"
	assert_equal "$(field "$T/rep" gid)" "$(getent group daemon | cut -d: -f3)"
	assert_equal "$(field "$T/rep" groups)" "$(getent group daemon | cut -d: -f3)"
	assert_equal "$(field "$T/rep" env.HOME)" /x
	run "$USHER" -u 4242:4343 -- "$PROBE" -r -
	assert_equal "$status" 0
	echo "$output" >"$T/rep2"
	assert_equal "$(field "$T/rep2" uid)" 4242
	assert_equal "$(field "$T/rep2" gid)" 4343
	assert_equal "$(field "$T/rep2" groups)" 4343
}

# in_files_only CMD...: CMD in a mount namespace where NSS knows no
# account (nsswitch.conf names a source that does not exist), but
# /etc/passwd and /etc/group hold "ghost", as in an image with no NSS
# modules for a static usher.
in_files_only() {
	cp /etc/passwd "$T/passwd"
	cp /etc/group "$T/group"
	echo 'ghost:x:4242:4343:Ghost:/home/ghost:/bin/ghostsh' >>"$T/passwd"
	printf 'ghosts:x:4343:\nextra:x:4400:nobody,ghost\n' >>"$T/group"
	printf 'passwd: nosuchsource\ngroup: nosuchsource\n' >"$T/nss"
	unshare --mount sh -c 'mount --bind "$0/passwd" /etc/passwd &&
	    mount --bind "$0/group" /etc/group &&
	    mount --bind "$0/nss" /etc/nsswitch.conf && exec "$@"' "$T" "$@"
}

@test "-u reads /etc/passwd and /etc/group itself where NSS finds nothing" {
	[ "$(id -u)" = 0 ] || fail "this test needs root"
	run in_files_only getent passwd ghost
	assert_equal "$status" 2	# NSS alone does not know ghost
	run in_files_only "$USHER" -u ghost -- "$PROBE" -r - -e HOME -e SHELL
	assert_equal "$status" 0
	echo "$output" >"$T/rep"
	assert_equal "$(field "$T/rep" uid)" 4242
	assert_equal "$(field "$T/rep" gid)" 4343
	assert_equal "$(field "$T/rep" groups)" 4343,4400
	assert_equal "$(field "$T/rep" env.HOME)" /home/ghost
	assert_equal "$(field "$T/rep" env.SHELL)" /bin/ghostsh
	run in_files_only "$USHER" -u 4242:extra -- "$PROBE" -r -
	assert_equal "$status" 0
	echo "$output" >"$T/rep2"
	assert_equal "$(field "$T/rep2" uid)" 4242
	assert_equal "$(field "$T/rep2" gid)" 4400
	run in_files_only "$USHER" -u ghost:nosuchgroup -- true
	assert_equal "$status" 125
	assert_equal "$output" "usher: -u: unknown group 'nosuchgroup'"
}

@test "-u USER -U HOME: the account's variable is removed, and no byte of it leaks" {
	[ "$(id -u)" = 0 ] || fail "this test needs root"
	# LeakSanitizer (make sanitize) reports a lost entry on stderr.
	run --separate-stderr "$USHER" -u nobody -U HOME -E SHELL=/x -E SHELL=/y \
	    -- "$PROBE" -r - -e HOME -e SHELL -e USER
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	echo "$output" >"$T/rep"
	assert_equal "$(field "$T/rep" unset.HOME)" 1
	assert_equal "$(field "$T/rep" env.SHELL)" /y
	assert_equal "$(field "$T/rep" env.USER)" nobody
}

@test "-u without privilege fails with 125 and starts nothing" {
	[ "$(id -u)" = 0 ] || fail "this test needs root"
	chmod 777 "$T"
	run --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    "$USHER" -u root -- touch "$T/ran"
	assert_equal "$status" 125
	assert_equal "$stderr" "usher: -u: setgroups: Operation not permitted"
	assert_file_not_exists "$T/ran"
}
