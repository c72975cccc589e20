#!/usr/bin/env bats
# --orphans leave|wait|kill: what happens to the command's leftover
# descendants when it exits (SPEC §3).

load test_helper

# ppid_is PID PPID: PID's parent is PPID.
ppid_is() {
	[ "$(stat_field "$1" 2)" = "$2" ]
}

# orphan_ends: the probe left behind, which reported into $T/gc, ends
# within 2 s; $gc is its pid, tracked.
orphan_ends() {
	gc=$(field "$T/gc" pid)
	track_pid "$gc"
	wait_gone "$gc" 2
}

# orphaned STATUS PROBE-ARG...: usher --orphans wait in the background,
# with a command that starts a probe (PROBE-ARG..., reporting into $T/gc)
# and exits STATUS, leaving the probe behind; returns once usher, the
# subreaper, has it for a child.  Sets $upid and $gc, both tracked.
orphaned() {
	start_bg "$USHER" --orphans wait -- sh -c 'st=$1; shift; "$0" "$@" &
	    exit "$st"' "$PROBE" "$@" -r "$T/gc" -R "$T/gcready"
	upid=$!
	wait_file "$T/gcready"
	gc=$(field "$T/gc" pid)
	track_pid "$gc"
	wait_for 5 ppid_is "$gc" "$upid"
}

@test "--orphans leave (the default): usher exits with the command" {
	# (the grandchild must not hold run's output pipe, or run waits for it)
	run "$USHER" -- sh -c '"$0" -r "$1/gc" -W "$1/never" -T 10 >/dev/null 2>&1 & exit 3' \
	    "$PROBE" "$T"
	assert_equal "$status" 3
	wait_file "$T/gc"
	local gc
	gc=$(field "$T/gc" pid)
	track_pid "$gc"
	run pid_gone "$gc"
	assert_failure
}

@test "--orphans wait: usher waits for a grandchild that outlives the command" {
	local gc
	orphaned 3 -W "$T/go" -T 10
	run pid_gone "$upid"
	assert_failure
	touch "$T/go"
	reap "$upid"
	assert_equal "$status" 3
	pid_gone "$gc"
}

@test "--orphans kill: leftover descendants are stopped, deep ones too" {
	# The command leaves a shell that is waiting for its own child: the
	# child is attached to a living parent, and must be found all the same.
	run "$USHER" --orphans kill -- sh -c '
	    sh -c "\"\$0\" -r \"\$1/gc\" -R \"\$1/gcready\" -W \"\$1/never\" -T 10 & wait" \
	        "$0" "$1" &
	    "$0" -W "$1/gcready" -T 10 || exit 99
	    exit 4' "$PROBE" "$T"
	assert_equal "$status" 4
	local gc
	orphan_ends
}

@test "--orphans kill: also a descendant that left for a session of its own" {
	run "$USHER" --orphans kill -- sh -c '
	    setsid "$0" -r "$1/gc" -R "$1/gcready" -W "$1/never" -T 10 &
	    "$0" -W "$1/gcready" -T 10 || exit 99
	    exit 0' "$PROBE" "$T"
	assert_equal "$status" 0
	local gc
	orphan_ends
	[ "$(field "$T/gc" sid)" = "$gc" ]
}

@test "--orphans kill -k: a descendant that ignores TERM gets KILL" {
	local t0
	t0=$(now_ms)
	run "$USHER" --orphans kill -k 0.3s -- sh -c '
	    "$0" -r "$1/gc" -R "$1/gcready" -t TERM -s "$1/sig" -W "$1/never" -T 10 &
	    "$0" -W "$1/gcready" -T 10 || exit 99
	    exit 5' "$PROBE" "$T"
	local dt=$(( $(now_ms) - t0 ))
	assert_equal "$status" 5
	local gc
	orphan_ends
	assert_equal "$(count_sig "$T/sig" TERM)" 1
	[ "$dt" -ge 300 ] && [ "$dt" -lt 2000 ] || fail "took ${dt} ms"
}

@test "--orphans wait: a TERM to usher while waiting stops the leftovers" {
	local gc
	orphaned 6 -t TERM -s "$T/sig" -w TERM -x 0 -T 10
	kill -TERM "$upid"
	reap "$upid"
	assert_equal "$status" 6
	assert_equal "$(count_sig "$T/sig" TERM)" 1
}

@test "--orphans kill: an orphan named with a newline is found and stopped" {
	run "$USHER" --orphans kill -- sh -c '
	    "$0" -N "$2" -r "$1/gc" -R "$1/gcready" -W "$1/never" -T 10 >/dev/null 2>&1 &
	    "$0" -W "$1/gcready" -T 10 || exit 99
	    exit 0' "$PROBE" "$T" $'\n'
	assert_equal "$status" 0
	local gc
	orphan_ends
}

@test "--orphans kill: a name that fakes usher as parent does not get a stranger signalled" {
	# A process of someone else's, not usher's descendant, whose name is
	# ")R <usher's pid> 1" and a newline: a line-by-line reader of
	# /proc/PID/stat would take usher for its parent.
	start_bg "$USHER" --orphans kill -- "$PROBE" -W "$T/go" -T 10
	local u=$!
	start_bg "$PROBE" -N ")R $u 1"$'\n' -r "$T/stranger" -R "$T/ready" \
	    -t TERM -s "$T/sig" -W "$T/never" -T 10
	local stranger=$!
	wait_file "$T/ready"
	touch "$T/go"
	reap "$u"
	assert_equal "$status" 0
	run pid_gone "$stranger"
	assert_failure
	assert_equal "$(count_sig "$T/sig" TERM)" 0
}

@test "a name that fakes the command's process group gets a stranger no group signal" {
	# The same /proc parser finds the members of the command's group, to
	# queue a real-time signal to each: a stranger named ")R 1 <pgid>"
	# and a newline is not one of them.
	start_probe -g -- -t RTMIN+2 -W "$T/go" -T 10
	local pgid
	pgid=$(field "$T/rep" pgid)
	start_bg "$PROBE" -N ")R 1 $pgid"$'\n' -R "$T/sready" -t RTMIN+2 \
	    -s "$T/ssig" -w USR1 -T 10
	local stranger=$!
	wait_file "$T/sready"
	"$HELPERS/sigq" "$upid" RTMIN+2 4242
	wait_line "$T/sig" '^RTMIN\+2 '
	touch "$T/go"
	reap "$upid"
	assert_equal "$status" 0
	# usher is gone, so whatever it queued is pending: the probe records
	# it before it ends on USR1.
	kill -USR1 "$stranger"
	reap "$stranger"
	assert_equal "$status" 0
	assert_equal "$(count_sig "$T/ssig" 'RTMIN\+2')" 0
}

@test "--orphans rejects other values" {
	run_usher --orphans maybe -- touch "$T/ran"
	assert_equal "$status" 125
	assert_equal "$stderr" "usher: --orphans: invalid value 'maybe' (leave, wait or kill)"
	assert_file_not_exists "$T/ran"
}

# The stress tests: a command that forks 2000 children that end at once,
# and exits without reaping them (the probe's -Z).

@test "stress: 2000 short-lived orphans under --orphans wait, none left unreaped" {
	# The reaper takes whatever usher leaves behind: only usher may end there.
	run "$HELPERS/reaper" -T 20 "$USHER" --orphans wait -- \
	    "$PROBE" -Z 2000 -x 7
	assert_equal "$status" 0
	assert_output --regexp '^pid=[0-9]+ exit=7 cmd$'
}

@test "stress: 2000 short-lived orphans under --orphans kill, none left unreaped" {
	run "$HELPERS/reaper" -T 20 "$USHER" --orphans kill -k 1s -- \
	    "$PROBE" -Z 2000 -x 7
	assert_equal "$status" 0
	assert_output --regexp '^pid=[0-9]+ exit=7 cmd$'
}

@test "stress: 2000 short-lived orphans of usher as PID 1, no zombie left" {
	run unshare --pid --fork --mount-proc "$USHER" -- sh -c "$NO_ZOMBIE"'
	    "$0" -Z 2000 -x 0 || exit 2
	    no_zombie || exit 1
	    exit 0' "$PROBE"
	assert_equal "$status" 0
}
