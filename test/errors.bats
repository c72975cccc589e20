#!/usr/bin/env bats
# Every bad input: one line "usher: CONTEXT: REASON" on stderr, status 125,
# nothing on stdout, and the command never starts.

load test_helper

@test "a malformed duration is refused" {
	refused "usher: --timeout: invalid duration 'x'" -t x
	refused "usher: --timeout: invalid duration '1x'" -t 1x
	refused "usher: --timeout: invalid duration '-1'" -t -1
	refused "usher: --timeout: invalid duration ''" -t ''
	refused "usher: --timeout: invalid duration '1h30'" --timeout 1h30
	refused "usher: -k: invalid duration 's'" -k s
}

@test "well-formed durations are accepted" {
	local d
	for d in 1.5 500ms 30s 2m 1h 1d 1h30m 0 0.5m 2d3h4m5s6ms; do
		run_usher -t "$d" -- true
		assert_equal "$status" 0
	done
}

@test "a malformed signal is refused" {
	refused "usher: -S: invalid signal 'FOO'" -S FOO
	refused "usher: -S: invalid signal '0'" -S 0
	refused "usher: -S: invalid signal '65'" -S 65
	refused "usher: -S: invalid signal 'RTMIN+99'" -S RTMIN+99
	refused "usher: --pdeathsig: invalid signal 'x'" --pdeathsig x
	refused "usher: -R: invalid FROM:TO 'TERM'" -R TERM
	refused "usher: -R: invalid FROM:TO 'KILL:TERM'" -R KILL:TERM
	refused "usher: -R: invalid FROM:TO 'TERM:BOGUS'" -R TERM:BOGUS
}

@test "signal names in every accepted spelling" {
	local s
	for s in TERM SIGTERM term sigterm 15 RTMIN RTMIN+3 rtmax-1 RTMAX; do
		run_usher -S "$s" -- true
		assert_equal "$status" 0
	done
}

@test "unknown options and missing arguments are refused" {
	refused "usher: --bogus: unknown option" --bogus
	refused "usher: -q: unknown option" -q
	run_usher -t
	assert_equal "$status" 125
	assert_equal "$stderr" "usher: -t: option needs an argument"
	run_usher --timeout
	assert_equal "$status" 125
	assert_equal "$stderr" "usher: --timeout: option needs an argument"
	refused "usher: --bogus: unknown option" --bogus=1
}

@test "a value given to an option that takes none is refused, naming the option" {
	refused "usher: --close-fds: takes no value" --close-fds=x
	refused "usher: --setsid: takes no value" --setsid=x
	refused "usher: --exit-code-only: takes no value" --exit-code-only=
	refused "usher: --group: takes no value" --group=1
	refused "usher: --single-child: takes no value" --single-child=yes
	# An abbreviation is named in full.
	refused "usher: --close-fds: takes no value" --close=x
	# The line holds no NUL byte: the whole of stderr is those bytes.
	"$USHER" --close-fds=x -- touch "$T/ran" 2>"$T/err" || true
	assert_equal "$(od -An -c "$T/err" | tr -s ' ')" \
	    "$(printf 'usher: --close-fds: takes no value\n' | od -An -c | tr -s ' ')"
	assert_file_not_exists "$T/ran"
}

@test "numbers are digits only: no blanks, no sign" {
	local n
	for n in ' +0' '+0' ' 0' '-0' '0 '; do
		refused "usher: -u: unknown user '$n'" -u "$n"
	done
	refused "usher: -u: unknown group ' +0'" -u "nobody: +0"
	refused "usher: -u: unknown group '-0'" -u "nobody:-0"
	for n in ' 5' +5 -5 '5 ' 0 1000000001; do
		refused "usher: --restart-max: invalid number '$n'" \
		    --restart-max "$n"
	done
	for n in ' 1:0' '+1:0' '1:+0' '1: 0' '-0:1' '1:256'; do
		refused "usher: --exit-map: invalid FROM:TO '$n'" --exit-map "$n"
	done
	for n in ' 15' +15 -15 15x 'RTMIN+ 1' 'RTMIN++1' 'RTMAX--1'; do
		refused "usher: -S: invalid signal '$n'" -S "$n"
	done
	for n in ' 22' +22 -22 8 0x1; do
		refused "usher: -m: invalid umask '$n'" -m "$n"
	done
}

@test "a control character in a value is shown as '?': the message stays one line" {
	refused "usher: --timeout: invalid duration '1?2'" -t $'1\n2'
	refused "usher: -S: invalid signal '?[2J'" -S $'\e[2J'
	refused "usher: -u: unknown user 'no?body'" -u $'no\nbody'
	refused "usher: -C: $T/a?b: No such file or directory" -C "$T/a"$'\t'b
	refused "usher: -?: unknown option" $'-\n'
}

@test "a missing command is refused" {
	run_usher
	assert_equal "$status" 125
	assert_equal "$stderr" "usher: usage: no command given (see usher --help)"
	run_usher -s --
	assert_equal "$status" 125
}

@test "bad values of the process options are refused" {
	refused "usher: -m: invalid umask '999'" -m 999
	refused "usher: -m: invalid umask '1000'" -m 1000
	refused "usher: -E: invalid NAME=VALUE 'NOVALUE'" -E NOVALUE
	refused "usher: -E: invalid NAME=VALUE '=x'" -E =x
	refused "usher: -U: invalid NAME 'A=B'" -U A=B
	refused "usher: --exit-map: invalid FROM:TO '1:256'" --exit-map 1:256
	refused "usher: --exit-map: invalid FROM:TO 'x:1'" --exit-map x:1
}

@test "an unknown user is refused before anything starts" {
	refused "usher: -u: unknown user 'no-such-user-here'" -u no-such-user-here
	refused "usher: -u: unknown group 'no-such-group'" -u root:no-such-group
	refused "usher: -u: uid 4242424 has no account: give a group as 4242424:GROUP" -u 4242424
}

@test "a missing directory is refused before the command starts" {
	refused "usher: -C: $T/nope: No such file or directory" -C "$T/nope"
}

@test "conflicting options are refused" {
	refused "usher: -g: conflicts with --single-child" -g --single-child
	refused "usher: -g: conflicts with --single-child" --single-child -g
	refused "usher: -t: needs a supervisor, not possible with -x" -x -t 1s
	refused "usher: -R: needs a supervisor, not possible with -x" -x -R TERM:INT
	refused "usher: -g: needs a supervisor, not possible with -x" -x -g
	refused "usher: --exit-code-only: needs a supervisor, not possible with -x" -x --exit-code-only
	refused "usher: --exit-map: needs a supervisor, not possible with -x" -x --exit-map 1:0
}

@test "a repeated option neither hides a conflict nor makes one" {
	refused "usher: -g: conflicts with --single-child" -g --single-child -g
	refused "usher: -g: conflicts with --single-child" \
	    --single-child -g --single-child
	refused "usher: -g: conflicts with --single-child" --group -g \
	    --single-child --single-child
	run_usher -g -g --single-child
	assert_equal "$status" 125
	assert_equal "$stderr" "usher: -g: conflicts with --single-child"
	run_usher --stop --stop -p "$T/none.pid"
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	run_usher --status --status -p "$T/none.pid"
	assert_equal "$status" 3
	assert_equal "$stderr" ""
	assert_file_not_exists "$T/none.pid"
	local order
	for order in "--stop --status" "--status --stop"; do
		# shellcheck disable=SC2086 # the two options, in this order
		run_usher $order -p "$T/none.pid"
		assert_equal "$status" 125
		assert_equal "$stderr" "usher: --status: conflicts with --stop"
	done
}

@test "--help lists every option on stdout, --version prints the version" {
	run_usher --help
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	assert_line --partial "--timeout DURATION"
	assert_line --partial "--exit-map FROM:TO"
	run_usher -h
	assert_equal "$status" 0
	run_usher --version
	assert_equal "$status" 0
	assert_output --regexp '^usher [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "option parsing stops at the first non-option word" {
	run_usher sh -c 'echo "$@"' sh -t -x --bogus
	assert_equal "$status" 0
	assert_output "-t -x --bogus"
}

@test "an error about a very long path is still one line with its reason" {
	local long
	long=/nonexistent/$(printf 'a%.0s' $(seq 600))
	run_usher -p "$long" -- true
	assert_equal "$status" 125
	assert_equal "${#lines[@]}" 0
	assert_equal "$(printf '%s\n' "$stderr" | wc -l)" 1
	assert_regex "$stderr" '^usher: /nonexistent/a+\.\.\.a+: No such file or directory$'
	run_usher -127 "$long"
	assert_equal "$(printf '%s\n' "$stderr" | wc -l)" 1
	assert_regex "$stderr" ': No such file or directory$'
}

# one_line_with REASON: $stderr is one line, cut in the middle of its
# long path ("..."), and ends with ": REASON".
one_line_with() {
	assert_equal "$(printf '%s\n' "$stderr" | wc -l)" 1
	assert_regex "$stderr" "^usher: .*\\.\\.\\..*: $1\$"
	[ "${#stderr}" -le 520 ] || fail "line of ${#stderr} characters"
}

@test "paths of 4,000 to 5,000 characters: every message keeps its reason" {
	local n long reason code
	for n in 4000 4100 5000; do
		long=/nonexistent/$(printf 'p%.0s' $(seq "$n"))
		reason="No such file or directory" code=127
		if [ "${#long}" -gt 4095 ]; then
			reason="File name too long" code=126
		fi
		for opts in "-p" "-P" "-o" "-d -p" "-d -o" "-C" "-d -C" \
		    "-x -C" "-d -x -C" "--report"; do
			# shellcheck disable=SC2086
			run_usher $opts "$long" -- touch "$T/ran"
			assert_equal "$status" 125
			one_line_with "$reason"
		done
		run_usher -f "3>$long" -- touch "$T/ran"
		assert_equal "$status" 125
		one_line_with "$reason"
		run_usher "-$code" "$long"
		one_line_with "$reason"
		run_usher "-$code" -d "$long"
		one_line_with "$reason"
		assert_file_not_exists "$T/ran"
	done
}

@test "a long command name in the readiness messages keeps the reason" {
	local c200 dir
	c200=$(printf 'c%.0s' $(seq 200))
	dir=$T/$c200/$c200/$c200
	mkdir -p "$dir"
	ln -s /bin/sh "$dir/sh"
	run_usher -d --ready fd:3 -- "$dir/sh" -c 'exit 4'
	assert_equal "$status" 4
	assert_equal "$(printf '%s\n' "$stderr" | wc -l)" 1
	assert_regex "$stderr" '^usher: /.*\.\.\..*/sh: exited with status 4 before it was ready$'
	run_usher --ready fd:3 --ready-timeout 0.2s -- "$dir/sh" -c 'sleep 5'
	assert_equal "$status" 124
	assert_regex "$stderr" '^usher: --ready: /.*\.\.\..*/sh was not ready in time$'
}

@test "a working directory that is gone: -p, -C and --report say why" {
	mkdir "$T/gone"
	cd "$T/gone"
	rmdir "$T/gone"
	refused "usher: -p: x.pid: No such file or directory" -p x.pid
	refused "usher: -C: sub: No such file or directory" -C sub
	refused "usher: --report: r.json: No such file or directory" --report r.json
}

@test "a failed start leaves no -o or -f file that usher created" {
	echo old >"$T/old.log"
	refused "usher: $T/nope: No such file or directory" \
	    -o "$T/new.log" -f "4>$T/new4" -f "3<$T/nope"
	assert_file_not_exists "$T/new.log"
	assert_file_not_exists "$T/new4"
	refused "usher: $T/nope: No such file or directory" \
	    -o "$T/old.log" -f "3<$T/nope"
	assert_equal "$(cat "$T/old.log")" old
	refused "usher: -u: unknown user 'no-such-user-here'" \
	    -u no-such-user-here -o "$T/new.log"
	assert_file_not_exists "$T/new.log"
}
