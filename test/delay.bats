#!/usr/bin/env bats
# -D SIGNAL:DURATION: hold a signal before forwarding it (SPEC §3).

load test_helper

@test "-D TERM:0.5s: the command gets TERM no sooner than 0.5 s after usher" {
	start_probe -D TERM:0.5s -- -t TERM,USR1 -w TERM -T 10
	local t0
	t0=$(now_ms)
	kill -TERM "$upid"
	wait_line "$T/sig" '^TERM '
	local dt=$(( $(now_ms) - t0 ))
	reap "$upid"
	assert_equal "$status" 0
	[ "$dt" -ge 480 ] && [ "$dt" -lt 1500 ] || fail "TERM after ${dt} ms"
	assert_equal "$(count_sig "$T/sig" TERM)" 1
}

@test "-D: a second copy merges into the held one and does not restart it" {
	start_probe -D TERM:1.6s -- -t TERM,USR1 -w TERM -T 10
	local t0 t1 t2
	t0=$(now_ms)
	kill -TERM "$upid"
	pass_time 0.8
	t1=$(now_ms)
	kill -TERM "$upid"
	wait_line "$T/sig" '^TERM '
	t2=$(now_ms)
	reap "$upid"
	# The second TERM must come while the first is held, or this shows
	# nothing.
	[ $((t1 - t0)) -lt 1600 ] || fail "the second TERM came after $((t1 - t0)) ms"
	# Held for its 1.6 s from the first copy: a hold not kept, or cut
	# short by the second copy, delivers sooner.
	[ $((t2 - t0)) -ge 1580 ] || fail "TERM after $((t2 - t0)) ms"
	# Not held again from the second copy: that delivers 1.6 s after t1 or
	# later (t1 is read before the kill), this one 0.8 s after it plus
	# the time it takes to see it, which has 0.8 s of margin.
	[ $((t2 - t1)) -lt 1600 ] ||
	    fail "TERM $((t2 - t1)) ms after the second copy: held again"
	assert_equal "$(count_sig "$T/sig" TERM)" 1
}

@test "-D: other signals pass while one is held" {
	start_probe -D TERM:0.5s -- -t TERM,USR1 -w TERM -T 10
	kill -TERM "$upid"
	kill -USR1 "$upid"
	wait_line "$T/sig" '^USR1 '
	run count_sig "$T/sig" TERM
	assert_output 0
	reap "$upid"
	assert_equal "$(head -1 "$T/sig" | cut -d' ' -f1)" USR1
}

@test "-D with -k: the KILL clock starts at the delayed delivery" {
	start_probe -D TERM:0.4s -k 0.3s -- -t TERM -W "$T/never" -T 10
	local dt
	term_reap "$upid"
	assert_equal "$status" 137
	[ "$dt" -ge 680 ] && [ "$dt" -lt 1800 ] || fail "KILL after ${dt} ms"
}

@test "-D refuses what it cannot hold" {
	local a
	for a in TERM KILL:1s CHLD:1s TERM:x NOPE:1s; do
		run_usher -D "$a" -- touch "$T/ran"
		assert_equal "$status" 125
		assert_equal "$stderr" "usher: -D: invalid SIGNAL:DURATION '$a'"
	done
	run_usher -D TERM:1s -D term:2s -- touch "$T/ran"
	assert_equal "$status" 125
	assert_equal "$stderr" "usher: -D: term delayed twice"
	assert_file_not_exists "$T/ran"
}
