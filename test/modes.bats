#!/usr/bin/env bats
# The modes of SPEC §2 without a terminal: foreground, -s (new session)
# and -x (exec in place, also with -s).

load test_helper

@test "foreground: usher stays the parent, the command gets its own group" {
	start_bg "$USHER" -- "$PROBE" -r "$T/rep" -x 6
	local u=$!
	reap "$u"
	assert_equal "$status" 6
	assert_equal "$(field "$T/rep" ppid)" "$u"
	assert_equal "$(field "$T/rep" pgid)" "$(field "$T/rep" pid)"
	assert_equal "$(field "$T/rep" sid)" "$(ps -o sid= -p $$ | tr -d ' ')"
}

@test "-s: a new session and group, no terminal, usher the parent" {
	start_bg "$USHER" -s -- "$PROBE" -r "$T/rep" -x 0
	local u=$!
	reap "$u"
	assert_equal "$status" 0
	assert_equal "$(field "$T/rep" sid)" "$(field "$T/rep" pid)"
	assert_equal "$(field "$T/rep" pgid)" "$(field "$T/rep" pid)"
	assert_equal "$(field "$T/rep" ppid)" "$u"
	assert_equal "$(field "$T/rep" tty_nr)" 0
}

@test "-s: TSTP to usher stops the command with STOP, CONT resumes both" {
	start_probe -s -- -t CONT,USR1 -w USR1 -T 10
	kill -TSTP "$upid"
	wait_for 5 state_is "$ppid" T
	wait_for 5 state_is "$upid" T
	kill -CONT "$upid"
	wait_line "$T/sig" '^CONT '
	state_is "$upid" S
	kill -USR1 "$upid"
	reap "$upid"
	assert_equal "$status" 0
	assert_equal "$(count_sig "$T/sig" CONT)" 1
}

@test "without a terminal, a command stopped from outside does not stop usher" {
	# No job-control shell can see usher stop without a terminal (cron,
	# CI): a stopped usher would only miss what comes next.  The pty
	# tests (jobctl.bats) show the mirroring where there is a terminal.
	start_probe -- -t CONT,USR2 -w USR2 -T 10
	kill -STOP "$ppid"
	wait_for 5 state_is "$ppid" T
	# a stopped usher would keep this USR2 pending, and the probe,
	# continued behind its back, would never get it
	kill -USR2 "$upid"
	kill -CONT "$ppid"
	reap "$upid"
	assert_equal "$status" 0
	assert_equal "$(count_sig "$T/sig" USR2)" 1
}

@test "-x: usher becomes the command, same pid" {
	start_bg "$USHER" -x -- "$PROBE" -r "$T/rep" -x 9
	local u=$!
	reap "$u"
	assert_equal "$status" 9
	assert_equal "$(field "$T/rep" pid)" "$u"
	assert_equal "$(field "$T/rep" sigblk)" 0000000000000000
	assert_equal "$(field "$T/rep" pdeathsig)" 0
}

@test "-x: errors are still one line with the right status" {
	run_usher -127 -x nosuch-command-here
	assert_equal "$stderr" "usher: nosuch-command-here: command not found"
	run_usher -x -C "$T/nope" -- true
	assert_equal "$status" 125
	assert_equal "$stderr" "usher: -C: $T/nope: No such file or directory"
}

@test "-x -s: a new session in place when usher does not lead a group" {
	# usher run from a non-interactive shell shares the shell's group.
	run --separate-stderr sh -c '"$0" -x -s -- "$1" -r "$2/rep" -x 0; true' \
	    "$USHER" "$PROBE" "$T"
	assert_equal "$status" 0
	assert_equal "$(field "$T/rep" sid)" "$(field "$T/rep" pid)"
}

@test "-x -s in a group leader forks once and mirrors the status" {
	run perl -e 'setpgrp(0, 0); exec @ARGV or exit 127' -- \
	    "$USHER" -x -s -- "$PROBE" -r "$T/rep" -x 5
	assert_equal "$status" 5
	assert_equal "$(field "$T/rep" sid)" "$(field "$T/rep" pid)"
}

@test "-x --pdeathsig asks for the signal when the caller dies" {
	start_bg "$USHER" -x --pdeathsig TERM -- "$PROBE" -r "$T/rep" -x 0
	reap "$!"
	assert_equal "$(field "$T/rep" pdeathsig)" 15
}

# ctxsw PID: voluntary plus involuntary context switches so far.
ctxsw() {
	awk '/^(nonvoluntary_|voluntary_)ctxt_switches/ { n += $2 } END { print n }' \
	    "/proc/$1/status"
}

@test "an idle usher makes no wake-ups, deadlines armed or not" {
	local args
	for args in "--" "-t 1h -k 1m -D TERM:1s --"; do
		rm -f "$T/ready" "$T/rep"
		# shellcheck disable=SC2086
		start_probe $args -W "$T/never" -T 10
		wait_for 5 state_is "$upid" S
		local before
		before=$(ctxsw "$upid")
		# let time pass (longer than a 1 s tick, which tini has): the
		# probe's deadline is the clock
		pass_time 1.1
		assert_equal "$(ctxsw "$upid")" "$before"
		kill -TERM "$upid"
		reap "$upid"
	done
}
