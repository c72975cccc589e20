#!/usr/bin/env bats
# Signals under load (SPEC §7): every real-time signal usher takes from the
# kernel reaches the command exactly once, with its value and in order,
# also when the command's queue is full (RLIMIT_SIGPENDING); standard
# signals, which the kernel merges, arrive at least once and never more
# often than sent; and a flood of signals does not hold up the deadlines.

load test_helper

MIX="RTMIN+1 RTMIN+2 USR1 RTMIN+1 RTMIN+2 USR2 RTMIN+1 WINCH"
TRAP=RTMIN+1,RTMIN+2,RTMIN+3,USR1,USR2,WINCH

# start_flooded [-i N] [-l USEC] USHER-ARG...: usher USHER-ARG... -- a probe
# that records the signals of $TRAP into $T/sig until RTMIN+3 comes, with
# "ulimit -i N" for usher and the probe, sleeping USEC per signal.  Sets
# $u to the supervisor's pid (from -P, so that -d works too).
start_flooded() {
	local lim=$(ulimit -i) lag=0
	[ "$1" != -i ] || { lim=$2; shift 2; }
	[ "$1" != -l ] || { lag=$2; shift 2; }
	start_bg bash -c 'ulimit -S -i "$0" && exec "$@"' "$lim" "$USHER" \
	    -P "$T/upid" "$@" -- "$PROBE" -r "$T/rep" -s "$T/sig" \
	    -R "$T/ready" -t "$TRAP" -w RTMIN+3 -d "$lag" -T 30 3>&- 2>"$T/err"
	wait_file "$T/ready"
	track_pid "$(field "$T/rep" pid)"
	wait_for 5 test -s "$T/upid"
	u=$(cat "$T/upid")
}

# flood COUNT SIG...: send usher COUNT signals of SIG..., then the
# RTMIN+3 that ends the probe, and wait until usher has ended.
flood() {
	"$HELPERS/sigflood" "$u" "$@" >"$T/sent"
	"$HELPERS/sigflood" "$u" 1 RTMIN+3 >/dev/null
	wait_gone "$(field "$T/rep" pid)" 20
	wait_gone "$u" 5
}

# received SIG: the values of SIG the probe recorded as queued (code -1),
# in the order it got them.
received() {
	sed -nE "s/^(${1//+/\\+}) code=-1 value=(-?[0-9]+) .*/\\1 \\2/p" "$T/sig"
}

# assert_all_rt SIG...: every SIG sent arrived once, with its value, in
# the order sent, and nothing else of SIG arrived.
assert_all_rt() {
	local s sent got
	for s in "$@"; do
		sent=$(grep -c "^$s " "$T/sent")
		[ "$sent" -gt 0 ] || fail "no $s was sent"
		diff <(grep "^$s " "$T/sent") <(received "$s") >"$T/diff" ||
		    fail "$s: $(wc -l <"$T/diff") lines differ of $sent sent"
		got=$(count_sig "$T/sig" "${s//+/\\+}")
		assert_equal "$s=$got" "$s=$sent"
	done
}

# assert_std SIG...: each standard SIG arrived at least once (the kernel
# merges copies that are pending) and never more often than sent.
assert_std() {
	local s sent got
	for s in "$@"; do
		sent=$(grep -c "^$s\$" "$T/sent")
		got=$(count_sig "$T/sig" "$s")
		[ "$got" -ge 1 ] && [ "$got" -le "$sent" ] ||
		    fail "$s: $got received of $sent sent"
	done
}

@test "10,000 mixed signals in the foreground: each RT value once, in order" {
	start_flooded
	flood 10000 $MIX
	assert_all_rt RTMIN+1 RTMIN+2
	assert_std USR1 USR2 WINCH
}

@test "10,000 mixed signals with -s: each RT value once, in order" {
	start_flooded -s
	flood 10000 $MIX
	assert_all_rt RTMIN+1 RTMIN+2
	assert_std USR1 USR2 WINCH
}

@test "10,000 mixed signals with -d: each RT value once, in order" {
	start_flooded -d
	flood 10000 $MIX
	assert_all_rt RTMIN+1 RTMIN+2
	assert_std USR1 USR2 WINCH
}

@test "ulimit -i 64 and a slow reader: no RT signal is lost" {
	start_flooded -i 64 -l 300 -v
	flood 2000 RTMIN+1 RTMIN+2
	assert_all_rt RTMIN+1 RTMIN+2
}

@test "ulimit -i 64, a slow reader, --single-child: no RT signal is lost" {
	start_flooded -i 64 -l 300 --single-child
	flood 2000 RTMIN+1 RTMIN+2
	assert_all_rt RTMIN+1 RTMIN+2
}

@test "-v counts queued signals that the command ended before taking" {
	# The probe takes one signal, dozes past its -T deadline and exits
	# 99; its queue holds 64 and usher the rest of the 300 sent.
	start_bg "$USHER" -v -- bash -c 'ulimit -S -i 64 && exec "$@"' \
	    "$PROBE" "$PROBE" -r "$T/rep" -R "$T/ready" -s "$T/sig" \
	    -t RTMIN+1 -W "$T/never" -T 0.5 -d 1000000 3>&- 2>"$T/err"
	u=$!
	wait_file "$T/ready"
	track_pid "$(field "$T/rep" pid)"
	"$HELPERS/sigflood" "$u" 300 RTMIN+1 >/dev/null
	reap "$u"
	assert_equal "$status" 99
	assert_equal "$(count_sig "$T/sig" 'RTMIN\+1')" 1
	run grep -E 'not delivered' "$T/err"
	assert_output --regexp \
	    '^usher: [0-9]+ queued signals not delivered: the command ended first$'
	local n=${output#usher: }
	n=${n%% *}
	[ "$n" -ge $((300 - 1 - 64)) ] && [ "$n" -le 299 ] ||
	    fail "$n signals counted as not delivered"
}

# deadline_under_flood LOW HIGH TRAP USHER-ARG...: usher USHER-ARG... -- a
# probe that traps the signals TRAP, flooded with RTMIN+1 once it is ready;
# usher must exit 124 between LOW and HIGH ms after it started.
deadline_under_flood() {
	local low=$1 high=$2 trap=$3 t0 dt
	shift 3
	t0=$(now_ms)
	start_bg "$USHER" "$@" -- "$PROBE" -r "$T/rep" -R "$T/ready" \
	    -t "$trap" -W "$T/never" -T 10 3>&-
	local pid=$!
	wait_file "$T/ready"
	track_pid "$(field "$T/rep" pid)"
	start_bg "$HELPERS/sigflood" -d 5 "$pid" 0 RTMIN+1 >/dev/null
	reap "$pid"
	dt=$(( $(now_ms) - t0 ))
	assert_equal "$status" 124
	[ "$dt" -ge "$low" ] && [ "$dt" -lt "$high" ] ||
	    fail "usher ended after ${dt} ms"
}

@test "-t 1s fires on time during a signal flood" {
	deadline_under_flood 950 1500 RTMIN+1 -t 1s
}

@test "-k fires on time during a signal flood" {
	deadline_under_flood 1450 2000 TERM,RTMIN+1 -t 1s -k 0.5s
}
