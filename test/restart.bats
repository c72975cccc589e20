#!/usr/bin/env bats
# -r/--restart[=on-failure|always], --restart-delay, --restart-max (SPEC
# §3): the command is started again when it exits, -p is rewritten with
# each new PID and emptied in the delay between, a stop signal (forwarded,
# or during the delay) ends the restarts, --restart-max gives up with the
# last status, and --stop on an instance between restarts stops its
# supervisor.

load test_helper

# runs: how many times the command started (one line per start in $T/count).
runs() {
	if [ -f "$T/count" ]; then
		echo $(( $(wc -l <"$T/count") ))
	else
		echo 0
	fi
}

# reaped PID: PID is no more in /proc at all (not even a zombie), so its
# parent has collected it.
reaped() {
	[ ! -e "/proc/$1" ]
}

# supervised: the usher -d -P $T/sup.pid just run returned 0; $spid is
# the supervisor's pid, tracked.
supervised() {
	spid=$(cat "$T/sup.pid")
	track_pid "$spid"
	assert_equal "$status" 0
}

@test "-r: a command that fails twice is started a third time, and runs" {
	# each start adds a line to $T/count; the third becomes a probe
	run_usher -d -p "$T/app.pid" -P "$T/sup.pid" -r --restart-delay 0.05s \
	    -- sh -c 'echo start >>"$0/count"
	        [ "$(wc -l <"$0/count")" -ge 3 ] || exit 3
	        exec "$1" -r "$0/rep" -W "$0/go" -T 10' "$T" "$PROBE"
	local spid
	supervised
	wait_file "$T/rep"
	local pid
	pid=$(field "$T/rep" pid)
	track_pid "$pid"
	assert_equal "$(runs)" 3
	assert_equal "$(field "$T/rep" ppid)" "$spid"
	wait_for 5 content_is "$T/app.pid" "$pid"
	# it ends with 0 now: on-failure does not restart it
	touch "$T/go"
	wait_gone "$spid" 5
	assert_equal "$(runs)" 3
	assert_file_not_exists "$T/app.pid"
}

@test "-r (on-failure) in the foreground: failures restart, success ends it" {
	run_usher -r --restart-delay 0.05s -- sh -c 'echo start >>"$0/count"
	    [ "$(wc -l <"$0/count")" -ge 3 ] || exit 3' "$T"
	assert_equal "$status" 0
	assert_equal "$(runs)" 3
}

@test "-r: a command that succeeds the first time is not restarted" {
	run_usher -r --restart-delay 0.05s -- sh -c 'echo start >>"$0/count"' "$T"
	assert_equal "$status" 0
	assert_equal "$(runs)" 1
}

@test "--restart=always restarts after success too; --restart-max ends it" {
	run_usher --restart=always --restart-delay 0.05s --restart-max 2 -- \
	    sh -c 'echo start >>"$0/count"' "$T"
	assert_equal "$status" 0
	assert_equal "$(runs)" 3
}

@test "--restart-max N: gives up after N restarts with the last status" {
	run_usher -r --restart-delay 0.05s --restart-max 2 -- \
	    sh -c 'echo start >>"$0/count"; exit $((10 + $(wc -l <"$0/count")))' "$T"
	assert_equal "$status" 13
	assert_equal "$(runs)" 3
}

@test "--restart-max: a last death by signal is the status" {
	run_usher -r --restart-delay 0.05s --restart-max 1 -- \
	    sh -c 'echo start >>"$0/count"; kill -USR1 $$' "$T"
	assert_equal "$status" 138
	assert_equal "$(runs)" 2
}

@test "--restart-delay doubles from one restart to the next" {
	local t0
	t0=$(now_ms)
	run_usher -r --restart-delay 0.2s --restart-max 2 -- \
	    sh -c 'echo start >>"$0/count"; exit 1' "$T"
	local dt=$(( $(now_ms) - t0 ))
	assert_equal "$status" 1
	assert_equal "$(runs)" 3
	# 0.2 s, then 0.4 s
	[ "$dt" -ge 580 ] && [ "$dt" -lt 3000 ] || fail "took ${dt} ms"
}

@test "-r -d: -p is rewritten with each new PID" {
	# each run N reports into rep.N and waits for go.N, then fails
	run_usher -d -p "$T/app.pid" -P "$T/sup.pid" -r --restart-delay 0.05s \
	    -- sh -c 'echo start >>"$0/count"; n=$(($(wc -l <"$0/count")))
	        exec "$1" -r "$0/rep.$n" -W "$0/go.$n" -T 10 -x 1' \
	    "$T" "$PROBE"
	local spid
	supervised
	wait_file "$T/rep.1"
	local p1
	p1=$(field "$T/rep.1" pid)
	track_pid "$p1"
	printf '%s\n' "$p1" | cmp - "$T/app.pid"
	touch "$T/go.1"
	wait_file "$T/rep.2"
	local p2
	p2=$(field "$T/rep.2" pid)
	track_pid "$p2"
	[ "$p2" != "$p1" ]
	wait_for 5 content_is "$T/app.pid" "$p2"
	printf '%s\n' "$p2" | cmp - "$T/app.pid"
	assert_equal "$(field "$T/rep.2" ppid)" "$spid"
	# the supervisor, and its pidfile, stayed the same
	printf '%s\n' "$spid" | cmp - "$T/sup.pid"
	run_usher --stop -p "$T/app.pid"
	assert_equal "$status" 0
	pid_gone "$p2"
	assert_equal "$(runs)" 2
}

@test "-r: a stop signal forwarded to the command is not followed by a restart" {
	start_bg "$USHER" -r --restart-delay 0.05s -- sh -c \
	    'echo start >>"$0/count"; exec "$1" -r "$0/rep" -R "$0/ready" -W "$0/never" -T 10' \
	    "$T" "$PROBE"
	local u=$!
	wait_file "$T/ready"
	track_pid "$(field "$T/rep" pid)"
	kill -TERM "$u"
	reap "$u"
	# it died by TERM, a failure, but usher sent it
	assert_equal "$status" 143
	assert_equal "$(runs)" 1
}

@test "--restart=always -d: TERM to the supervisor stops the command for good" {
	run_usher -d -p "$T/app.pid" -P "$T/sup.pid" --restart=always \
	    --restart-delay 0.05s -- sh -c \
	    'echo start >>"$0/count"; exec "$1" -r "$0/rep" -W "$0/never" -T 10' \
	    "$T" "$PROBE"
	local spid cpid
	spid=$(cat "$T/sup.pid")
	cpid=$(cat "$T/app.pid")
	track_pid "$spid" "$cpid"
	assert_equal "$status" 0
	kill -TERM "$spid"
	wait_gone "$spid" 5
	pid_gone "$cpid"
	assert_equal "$(runs)" 1
	assert_file_not_exists "$T/app.pid"
	assert_file_not_exists "$T/sup.pid"
}

@test "-r: TERM during a long restart delay ends usher at once with the last status" {
	start_bg "$USHER" -r --restart-delay 30s -- sh -c \
	    'echo $$ >>"$0/count"; exit 3' "$T"
	local u=$!
	wait_file "$T/count"
	# the command has been reaped: usher is in the delay
	wait_for 5 reaped "$(head -1 "$T/count")"
	local dt
	term_reap "$u"
	assert_equal "$status" 3
	assert_equal "$(runs)" 1
	[ "$dt" -lt 2000 ] || fail "usher took ${dt} ms to end"
}

# in_delay: usher -d -r with a command that fails at once, in its 30 s
# delay before the first restart; spid is the supervisor's pid.
in_delay() {
	run_usher -d -p "$T/app.pid" -P "$T/sup.pid" -r --restart-delay 30s \
	    -- sh -c 'echo $$ >>"$0/count"; exit 3' "$T"
	supervised
	wait_file "$T/count"
	wait_for 5 reaped "$(head -1 "$T/count")"
}

@test "-r -d: TERM to the supervisor during the delay ends it and removes the pidfiles" {
	in_delay
	kill -TERM "$spid"
	wait_gone "$spid" 2
	assert_equal "$(runs)" 1
	assert_file_not_exists "$T/app.pid"
	assert_file_not_exists "$T/sup.pid"
}

# status_is N FILE: --status -p FILE exits N and prints nothing (a status
# that prints a pid is 0).
status_is() {
	run_usher --status -p "$2"
	[ "$status" = "$1" ] && [ -z "$output" ] && [ -z "$stderr" ]
}

@test "--status during a restart delay: -p is emptied, and no dead pid is said to run" {
	in_delay
	wait_for 5 status_is 3 "$T/app.pid"
	assert_equal "$(stat -c %s "$T/app.pid")" 0
	# the instance lives on: a second start is refused, without a pid
	run_usher -p "$T/app.pid" -- touch "$T/ran"
	assert_equal "$status" 125
	assert_equal "$stderr" "usher: $T/app.pid: already running"
	assert_file_not_exists "$T/ran"
	kill -TERM "$spid"
	wait_gone "$spid" 2
	assert_equal "$(runs)" 1
	assert_file_not_exists "$T/app.pid"
}

@test "--stop during a restart delay stops the supervisor: nothing new starts" {
	in_delay
	# no command runs, so -p names none (3); the supervisor holds the
	# lock, and is the instance that --stop stops
	wait_for 5 status_is 3 "$T/app.pid"
	run_usher --status -p "$T/sup.pid"
	assert_equal "$status" 0
	assert_output "$spid"
	local t0
	t0=$(now_ms)
	run_usher --stop -p "$T/app.pid"
	local dt=$(( $(now_ms) - t0 ))
	assert_equal "$status" 0
	pid_gone "$spid"
	assert_equal "$(runs)" 1
	assert_file_not_exists "$T/app.pid"
	assert_file_not_exists "$T/sup.pid"
	[ "$dt" -lt 2000 ] || fail "--stop took ${dt} ms"
}

@test "-r --ready: a command that dies before it is ready is not restarted" {
	run_usher -d -p "$T/app.pid" -r --restart-delay 0.05s --ready fd:3 -- \
	    sh -c 'echo $PPID >>"$0/count"; exit 4' "$T"
	local spid
	spid=$(head -1 "$T/count")
	track_pid "$spid"
	assert_equal "$status" 4
	assert_equal "$stderr" "usher: sh: exited with status 4 before it was ready"
	wait_gone "$spid" 5
	assert_equal "$(runs)" 1
}

@test "-r and --restart-max reject bad values" {
	run_usher --restart=sometimes -- true
	assert_equal "$status" 125
	assert_equal "$stderr" "usher: --restart: invalid value 'sometimes' (on-failure or always)"
	run_usher -r --restart-max 0 -- true
	assert_equal "$status" 125
	assert_equal "$stderr" "usher: --restart-max: invalid number '0'"
	run_usher -r --restart-delay soon -- true
	assert_equal "$status" 125
	assert_equal "$stderr" "usher: --restart-delay: invalid duration 'soon'"
}

@test "-r: a TERM held by -D is a stop, also when the command ends meanwhile" {
	start_bg "$USHER" -r --restart-delay 0.1 -D TERM:5s -- sh -c \
	    'echo x >>"$0/starts"; touch "$0/up"; sleep 0.3; exit 1' "$T"
	local u=$!
	wait_file "$T/up"
	kill -TERM "$u"
	reap "$u"
	assert_equal "$status" 1
	assert_equal "$(wc -l <"$T/starts")" 1
}

@test "--restart-delay 0 does not spin: the delay grows from a tenth of a second" {
	# Each start writes the time, in microseconds, into $T/starts.
	run_usher -r --restart-delay 0 --restart-max 5 -- bash -c \
	    'echo "${EPOCHREALTIME/[.,]/}" >>"$0/starts"; exit 1' "$T"
	assert_equal "$status" 1
	local at gap i min=(0 80 180 380 780)
	mapfile -t at <"$T/starts"
	assert_equal "${#at[@]}" 6
	# The pauses are 0, 0.1, 0.2, 0.4 and 0.8 s, and a start never comes
	# sooner than its pause after the one before (a loaded machine only
	# makes it later).  A loop that spins would need every start to take
	# 0.8 s to pass; a delay that stays at 0.1 s, or doubles from 0.05 s,
	# one start of 0.7 s or 0.4 s.
	for i in 1 2 3 4 5; do
		gap=$(( (at[i] - at[i - 1]) / 1000 ))
		[ "$gap" -ge "${min[i - 1]}" ] ||
		    fail "start $((i + 1)) came ${gap} ms after the one before"
	done
	# 1.5 s of pauses in all: 2.5 s are left for six starts.  A delay of 0
	# taken for the default 1 s would take 31 s, one that doubles from
	# 0.25 s, 7.5 s.
	gap=$(( (at[5] - at[0]) / 1000 ))
	[ "$gap" -lt 4000 ] || fail "six starts took ${gap} ms"
}
