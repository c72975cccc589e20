#!/usr/bin/env bats
# Deadlines: -t, -S, -k (SPEC §3, §7).  Times come from a monotonic clock
# inside usher; here they are measured from outside with generous bounds.

load test_helper

@test "-t stops a command that runs too long and exits 124" {
	local t0
	t0=$(now_ms)
	run_usher -t 0.3s -- sleep 10
	local dt=$(( $(now_ms) - t0 ))
	assert_equal "$status" 124
	assert_equal "$stderr" ""
	[ "$dt" -ge 250 ] || fail "ended after ${dt} ms, before the timeout"
	[ "$dt" -lt 1500 ] || fail "took ${dt} ms"
}

@test "-t: a command that ends in time keeps its own status" {
	run_usher -t 5s -- sh -c 'exit 3'
	assert_equal "$status" 3
	run_usher -t 0 -- sh -c 'exit 4'
	assert_equal "$status" 4
}

@test "-t: a duration too short to count still expires, at once" {
	local d t0 dt
	for d in 0.0000000001 0.0000000001s 0.00000000001ms 0.0000000009; do
		t0=$(now_ms)
		run_usher -t "$d" -- sleep 5
		dt=$(( $(now_ms) - t0 ))
		assert_equal "$status" 124
		assert_equal "$stderr" ""
		[ "$dt" -lt 2500 ] || fail "-t $d: ended after ${dt} ms"
	done
	# Zero, in any spelling, is no timeout.
	run_usher -t 0.0000000000 -- sh -c 'exit 4'
	assert_equal "$status" 4
	run_usher -t 0ms -- sh -c 'exit 5'
	assert_equal "$status" 5
}

@test "-t: a command that traps TERM and exits 3 still yields 124" {
	run_usher -t 0.3s -- "$PROBE" -t TERM -w TERM -x 3
	assert_equal "$status" 124
}

@test "-S chooses the signal, sent to the command's group" {
	run_usher -t 0.2s -S USR1 -- sh -c '"$0" -t USR1 -s "$1/bg" -R "$1/bgready" -w USR1 -T 5 &
	    exec "$0" -t USR1 -s "$1/sig" -w USR1 -T 5' "$PROBE" "$T"
	assert_equal "$status" 124
	assert_equal "$(count_sig "$T/sig" USR1)" 1
	wait_line "$T/bg" '^USR1 '
}

@test "-t -k: a command that ignores TERM is killed, still 124" {
	local t0
	t0=$(now_ms)
	run_usher -t 0.3s -k 0.3s -- "$PROBE" -t TERM -s "$T/sig" -W "$T/never" -T 10
	local dt=$(( $(now_ms) - t0 ))
	assert_equal "$status" 124
	assert_equal "$(count_sig "$T/sig" TERM)" 1
	[ "$dt" -ge 550 ] || fail "killed after ${dt} ms, before -k"
	[ "$dt" -lt 1500 ] || fail "took ${dt} ms"
}

@test "-k after a TERM sent to usher: KILL, and usher dies by it" {
	start_probe -k 0.3s -- -t TERM -W "$T/never" -T 10
	local dt
	term_reap "$upid"
	assert_equal "$status" 137
	assert_equal "$(count_sig "$T/sig" TERM)" 1
	[ "$dt" -ge 250 ] && [ "$dt" -lt 1500 ] || fail "KILL after ${dt} ms"
}

@test "-k is not armed by a signal that is not a stop signal" {
	start_probe -k 0.2s -- -t USR1,USR2 -w USR2 -T 10
	kill -USR1 "$upid"
	wait_line "$T/sig" '^USR1 '
	# A negative test has to let time pass: three times -k.  The probe
	# is the clock here (its -T deadline), not a guess at any ordering.
	run "$PROBE" -W "$T/never" -T 0.6
	kill -USR2 "$upid"
	reap "$upid"
	assert_equal "$status" 0
}

@test "-t continues a stopped command so that it can end" {
	start_probe -t 1s -- -W "$T/never" -T 10
	kill -STOP "$ppid"
	wait_for 5 state_is "$ppid" T
	reap "$upid"
	assert_equal "$status" 124
	wait_gone "$ppid"
}
