#!/usr/bin/env bats
# Signals under load (SPEC §7): every real-time signal usher takes from the
# kernel reaches the command exactly once, with its value and in order,
# also when the command's queue is full (RLIMIT_SIGPENDING); standard
# signals, which the kernel merges, arrive at least once and never more
# often than sent; and a flood of signals does not hold up the deadlines.

load test_helper

MIX=(RTMIN+1 RTMIN+2 USR1 RTMIN+1 RTMIN+2 USR2 RTMIN+1 WINCH)
TRAP=RTMIN+1,RTMIN+2,RTMIN+3,USR1,USR2,WINCH

# start_flooded [-i N] [-c N] [-l USEC] USHER-ARG...: usher USHER-ARG...
# -- a probe that records the signals of $TRAP into $T/sig until RTMIN+3
# comes, sleeping USEC per signal; "ulimit -i N" for usher and the probe
# (-i), or for the probe alone (-c).  Sets $u to the supervisor's pid
# (from -P, so that -d works too), $launcher to the process started.
start_flooded() {
	local lim clim lag=0
	lim=$(ulimit -i)
	clim=$lim
	[ "$1" != -i ] || { lim=$2; clim=$2; shift 2; }
	[ "$1" != -c ] || { clim=$2; shift 2; }
	[ "$1" != -l ] || { lag=$2; shift 2; }
	start_bg bash -c 'ulimit -S -i "$0" && exec "$@"' "$lim" "$USHER" \
	    -P "$T/upid" "$@" -- bash -c 'ulimit -S -i "$0" && exec "$@"' \
	    "$clim" "$PROBE" -r "$T/rep" -s "$T/sig" -R "$T/ready" \
	    -t "$TRAP" -w RTMIN+3 -d "$lag" -T 30 2>"$T/err"
	launcher=$!
	wait_file "$T/ready"
	track_pid "$(field "$T/rep" pid)"
	wait_for 5 test -s "$T/upid"
	u=$(cat "$T/upid")
}

# flood COUNT SIG...: send usher COUNT signals of SIG..., then the
# RTMIN+3 that ends the probe, and wait until usher has ended, with 0 (the
# probe's status, or with -d the launcher's).
flood() {
	"$HELPERS/sigflood" "$u" "$@" >"$T/sent"
	"$HELPERS/sigflood" "$u" 1 RTMIN+3 >/dev/null
	wait_gone "$(field "$T/rep" pid)" 20
	wait_gone "$u" 5
	reap "$launcher"
	assert_equal "$status" 0
}

# assert_flood: compare what sigflood sent ($T/sent) with what the probe
# recorded ($T/sig).  Each real-time signal arrived once, queued (code -1),
# with its value and in the order sent; each standard one at least once
# (the kernel merges copies that are pending) and never more often than
# sent.  One awk: a shell loop over 10,000 lines is slow under load.
assert_flood() {
	run awk '
	function bad(msg) { if (nbad++ < 5) print msg }
	FNR == NR {
		if (NF == 2)
			sent[$1, ++ns[$1]] = $2
		else
			nstd[$1]++
		next
	}
	$1 in ns {
		n = ++nr[$1]
		v = $3
		sub(/^value=/, "", v)
		if ($2 != "code=-1" || sent[$1, n] != v)
			bad("got " $0 " as " $1 " #" n)
		next
	}
	$1 in nstd { nrs[$1]++ }
	END {
		for (s in ns)
			if (nr[s] != ns[s])
				bad(s ": " nr[s] + 0 " arrived of " ns[s])
		for (s in nstd)
			if (nrs[s] < 1 || nrs[s] > nstd[s])
				bad(s ": " nrs[s] + 0 " arrived of " nstd[s])
		if (length(ns) == 0)
			bad("no real-time signal was sent")
		exit nbad != 0
	}' "$T/sent" "$T/sig"
	assert_success
}

@test "stress: 10,000 mixed signals in the foreground, each RT value once, in order" {
	start_flooded
	flood 10000 "${MIX[@]}"
	assert_flood
}

@test "stress: 10,000 mixed signals with -s, each RT value once, in order" {
	start_flooded -s
	flood 10000 "${MIX[@]}"
	assert_flood
}

@test "stress: 10,000 mixed signals with -d, each RT value once, in order" {
	start_flooded -d
	flood 10000 "${MIX[@]}"
	assert_flood
}

@test "stress: ulimit -i 64 and a slow reader, no RT signal lost" {
	start_flooded -i 64 -l 500 -v
	flood 1000 RTMIN+1 RTMIN+2
	assert_flood
	run grep -c 'holding queued signals' "$T/err"
	[ "$output" -ge 1 ] || fail "-v never said it held signals"
	run grep -c 'not delivered' "$T/err"
	assert_output 0
}

@test "stress: the command's ulimit -i 64, --single-child, no RT signal lost" {
	start_flooded -c 64 -l 500 --single-child
	flood 1000 RTMIN+1 RTMIN+2
	assert_flood
}

@test "-v counts queued signals that the command ended before taking" {
	# The probe takes one signal, dozes past its -T deadline and exits
	# 99; its queue holds 64 and usher the rest of the 300 sent.
	start_bg "$USHER" -v -- bash -c 'ulimit -S -i 64 && exec "$@"' \
	    "$PROBE" "$PROBE" -r "$T/rep" -R "$T/ready" -s "$T/sig" \
	    -t RTMIN+1 -W "$T/never" -T 0.5 -d 1000000 2>"$T/err"
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
# usher must exit 124 no sooner than LOW ms after it was started, and less
# than HIGH ms after the probe was ready (the deadline counts from the
# fork, which is between the two: a slow start, as under a sanitizer, must
# not count against usher).
deadline_under_flood() {
	local low=$1 high=$2 trap=$3 t0 t1 t2
	shift 3
	t0=$(now_ms)
	start_bg "$USHER" "$@" -- "$PROBE" -r "$T/rep" -R "$T/ready" \
	    -t "$trap" -W "$T/never" -T 10
	local pid=$!
	wait_file "$T/ready"
	t1=$(now_ms)
	track_pid "$(field "$T/rep" pid)"
	start_bg "$HELPERS/sigflood" -d 5 "$pid" 0 RTMIN+1 >/dev/null
	reap "$pid"
	t2=$(now_ms)
	assert_equal "$status" 124
	if [ $((t2 - t0)) -lt "$low" ] || [ $((t2 - t1)) -ge "$high" ]; then
		fail "usher ended $((t2 - t0)) ms after its start," \
		    "$((t2 - t1)) ms after the command was ready"
	fi
}

@test "stress: -t 1s fires on time during a signal flood" {
	deadline_under_flood 950 1500 RTMIN+1 -t 1s
}

@test "stress: -k fires on time during a signal flood" {
	deadline_under_flood 1450 2000 TERM,RTMIN+1 -t 1s -k 0.5s
}

@test "stress: --ready-timeout fires on time during a signal flood" {
	deadline_under_flood 950 1500 RTMIN+1 --ready fd:3 --ready-timeout 1s
}

@test "stress: --if-running wait starts on time during a signal flood" {
	local first second t1 t2
	start_bg "$USHER" -p "$T/app.pid" -- "$PROBE" -r "$T/rep" -W "$T/go" \
	    -T 10
	first=$!
	wait_file "$T/rep"
	track_pid "$(field "$T/rep" pid)"
	wait_for 5 test -s "$T/app.pid"
	# (the flood goes on after the start: -R keeps it from the command)
	start_bg "$USHER" --if-running wait -p "$T/app.pid" -R RTMIN+1:none \
	    -- "$PROBE" -r "$T/rep2"
	second=$!
	# (a signal that comes before usher takes it would end usher)
	wait_for 5 takes_signal "$second" RTMIN+1
	start_bg "$HELPERS/sigflood" -d 5 "$second" 0 RTMIN+1 >"$T/sent"
	# shellcheck disable=SC2016
	wait_for 5 sh -c 'test "$(wc -l <"$0")" -gt 2000' "$T/sent"
	touch "$T/go"
	t1=$(now_ms)
	reap "$first"
	reap "$second"
	t2=$(now_ms)
	assert_equal "$status" 0
	assert_file_exists "$T/rep2"
	[ $((t2 - t1)) -lt 1000 ] ||
	    fail "the second usher ended $((t2 - t1)) ms after the first"
}
