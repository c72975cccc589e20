#!/usr/bin/env bats
# Exit status (SPEC §6): the command's own, death by the same signal,
# 128+N on request, --exit-map, 126 and 127.

load test_helper

# wstat CMD...: run CMD and print how it ended as perl's $? sees it:
# "exit N", or "signal N" plus " core" when a core was dumped.  INT and
# QUIT are set to their defaults first: a suite started in the background
# of a non-interactive shell inherits them ignored.
wstat() {
	perl -e '$SIG{INT} = $SIG{QUIT} = "DEFAULT";
	    system { $ARGV[0] } @ARGV; my $s = $?;
	    if ($s & 127) { printf "signal %d%s\n", $s & 127,
	        ($s & 128) ? " core" : "" } else { printf "exit %d\n", $s >> 8 }' \
	    -- "$@"
}

@test "an exit status is mirrored" {
	run_usher -- sh -c 'exit 7'
	assert_equal "$status" 7
	assert_equal "$stderr" ""
	run_usher -- true
	assert_equal "$status" 0
	run_usher "$PROBE" -x 255
	assert_equal "$status" 255
}

@test "death by TERM is mirrored as death by TERM" {
	run wstat "$USHER" -- sh -c 'kill -TERM $$'
	assert_output "signal 15"
	run --separate-stderr bash -c '"$USHER" -- sh -c "kill -TERM \$\$"; echo $?'
	assert_output "143"
}

@test "death by a core-dumping signal is mirrored without a core" {
	cd "$T"
	ulimit -c unlimited
	# the baseline: here a shell killed by QUIT does dump a core (the
	# probe would not in the sanitizer build: ASan turns cores off)
	run wstat sh -c 'kill -QUIT $$'
	assert_output "signal 3 core"
	run wstat "$USHER" -- sh -c 'kill -QUIT $$'
	assert_output "signal 3"
	run wstat "$USHER" -- "$PROBE" -k SEGV
	assert_output "signal 11"
}

@test "--exit-code-only gives 128+N" {
	run wstat "$USHER" --exit-code-only -- sh -c 'kill -TERM $$'
	assert_output "exit 143"
	run wstat "$USHER" --exit-code-only -- "$PROBE" -k KILL
	assert_output "exit 137"
	run wstat "$USHER" --exit-code-only -- "$PROBE" -x 3
	assert_output "exit 3"
}

@test "--exit-map maps statuses, signal N counting as 128+N" {
	run_usher --exit-map 143:0 -- sh -c 'kill -TERM $$'
	assert_equal "$status" 0
	run_usher --exit-map 3:42 --exit-map 4:0 -- sh -c 'exit 3'
	assert_equal "$status" 42
	run_usher --exit-map 3:42 -- sh -c 'exit 4'
	assert_equal "$status" 4
	run wstat "$USHER" --exit-map 3:0 -- sh -c 'kill -INT $$'
	assert_output "signal 2"
}

@test "a command that is not found gives 127 and one line" {
	run_usher -127 nosuch-command-here
	assert_equal "$status" 127
	assert_equal "$stderr" "usher: nosuch-command-here: command not found"
	run_usher -127 "$T/missing"
	assert_equal "$status" 127
	assert_equal "$stderr" "usher: $T/missing: No such file or directory"
}

@test "a command that cannot be executed gives 126 and one line" {
	printf 'data\n' >"$T/plain"
	chmod 644 "$T/plain"
	run_usher "$T/plain"
	assert_equal "$status" 126
	assert_equal "$stderr" "usher: $T/plain: Permission denied"
	run_usher "$T"
	assert_equal "$status" 126
	assert_equal "${#lines[@]}" 0
}

@test "the command is looked up in the PATH it will get" {
	mkdir "$T/bin"
	printf '#!/bin/sh\nexit 42\n' >"$T/bin/only-here"
	chmod 755 "$T/bin/only-here"
	run_usher -127 only-here
	run_usher -E "PATH=$T/bin:/usr/bin:/bin" only-here
	assert_equal "$status" 42
}

@test "the mirrored status does not depend on exit-map order of unrelated pairs" {
	run_usher --exit-map 1:9 --exit-map 1:8 -- sh -c 'exit 1'
	assert_equal "$status" 8
}
