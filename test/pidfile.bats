#!/usr/bin/env bats
# Pidfiles (SPEC §5): -p holds the command's PID and -P usher's, each
# followed by a newline, locked for the instance's lifetime and removed at
# its end; a locked pidfile refuses a second instance (125) unless
# --if-running says skip or wait; a stale one is reused.  --status and
# --stop act on them (SPEC §3).

load test_helper

# mtime_of FILE: modification time, to the nanosecond, and size.
mtime_of() {
	stat -c '%y %s' "$1"
}

@test "-p: the pidfile holds the PID and a newline when the caller returns" {
	daemon
	[ -n "$cpid" ] || fail "no pid in the pidfile"
	printf '%s\n' "$cpid" | cmp - "$T/app.pid"
	assert_equal "$(field "$T/rep" pid)" "$cpid"
}

@test "-P: the supervisor's pidfile holds usher's pid, the command's parent" {
	daemon
	printf '%s\n' "$spid" | cmp - "$T/sup.pid"
	assert_equal "$(field "$T/rep" ppid)" "$spid"
	[ "$spid" != "$cpid" ]
}

@test "-p and -P in the foreground: held while the command runs, removed at its end" {
	start_bg "$USHER" -p "$T/app.pid" -P "$T/sup.pid" -- "$PROBE" \
	    -r "$T/rep" -R "$T/ready" -W "$T/go" -T 10
	local u=$!
	wait_file "$T/ready"
	local pid
	pid=$(field "$T/rep" pid)
	track_pid "$pid"
	wait_for 5 content_is "$T/app.pid" "$pid"
	printf '%s\n' "$u" | cmp - "$T/sup.pid"
	touch "$T/go"
	reap "$u"
	assert_equal "$status" 0
	assert_file_not_exists "$T/app.pid"
	assert_file_not_exists "$T/sup.pid"
}

@test "a second instance gets 125 and 'already running as pid N', with the absolute path" {
	daemon
	cd "$T"
	run_usher -d -p app.pid -- "$PROBE" -r "$T/rep2"
	assert_equal "$status" 125
	assert_equal "$stderr" "usher: $(pwd -P)/app.pid: already running as pid $cpid"
	assert_output ""
	assert_file_not_exists "$T/rep2"
	printf '%s\n' "$cpid" | cmp - "$T/app.pid"
}

@test "a second instance in the foreground gets 125 as well" {
	daemon
	run_usher -p "$T/app.pid" -- "$PROBE" -r "$T/rep2"
	assert_equal "$status" 125
	assert_equal "$stderr" "usher: $T/app.pid: already running as pid $cpid"
	assert_file_not_exists "$T/rep2"
}

@test "a locked -P refuses a second instance too" {
	daemon
	run_usher -P "$T/sup.pid" -- "$PROBE" -r "$T/rep2"
	assert_equal "$status" 125
	assert_equal "$stderr" "usher: $T/sup.pid: already running as pid $spid"
	assert_file_not_exists "$T/rep2"
}

@test "--if-running skip: exits 0 at once and starts nothing" {
	daemon
	run_usher --if-running skip -p "$T/app.pid" -- "$PROBE" -r "$T/rep2"
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	assert_file_not_exists "$T/rep2"
	printf '%s\n' "$cpid" | cmp - "$T/app.pid"
}

@test "--if-running skip -d: the caller exits 0 and nothing starts" {
	daemon
	run_usher -d --if-running skip -p "$T/app.pid" -- "$PROBE" \
	    -r "$T/rep2"
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	assert_file_not_exists "$T/rep2"
}

@test "--if-running skip -d -v: what usher says before detaching reaches the caller's stderr" {
	daemon
	run_usher -d -v --if-running skip -p "$T/app.pid" -- "$PROBE" \
	    -r "$T/rep2" 3>&-
	assert_equal "$status" 0
	assert_equal "$stderr" "usher: $T/app.pid: already running; skipping"
	assert_file_not_exists "$T/rep2"
}

@test "--if-running wait: a cron-like foreground run starts after the first ends" {
	start_bg "$USHER" -p "$T/app.pid" -- sh -c \
	    '"$0" -r "$1/rep" -W "$1/go" -T 10; : >"$1/first_done"' \
	    "$PROBE" "$T"
	local first=$!
	wait_file "$T/rep"
	track_pid "$(field "$T/rep" pid)"
	wait_for 5 test -s "$T/app.pid"
	start_bg "$USHER" --if-running wait -p "$T/app.pid" -- sh -c \
	    'if [ -e "$0/first_done" ]; then echo after; else echo overlap; fi >"$0/order"' \
	    "$T"
	local second=$!
	pass_time 0.3
	assert_file_not_exists "$T/order"
	run pid_gone "$second"
	assert_failure
	touch "$T/go"
	reap "$first"
	assert_equal "$status" 0
	reap "$second"
	assert_equal "$status" 0
	run cat "$T/order"
	assert_output after
	assert_file_not_exists "$T/app.pid"
}

@test "--if-running wait -d: the caller waits, then starts the daemon" {
	daemon
	start_bg "$USHER" -d --if-running wait -p "$T/app.pid" -- "$PROBE" \
	    -r "$T/rep2" -W "$T/go2" -T 10
	local caller=$!
	pass_time 0.3
	assert_file_not_exists "$T/rep2"
	run pid_gone "$caller"
	assert_failure
	touch "$T/go"
	reap "$caller"
	assert_equal "$status" 0
	local pid2
	pid2=$(cat "$T/app.pid")
	track_pid "$pid2"
	[ "$pid2" != "$cpid" ]
	wait_file "$T/rep2"
	assert_equal "$(field "$T/rep2" pid)" "$pid2"
	touch "$T/go2"
}

@test "--if-running wait: starts as the lock goes, also when no holder can be seen (no tick)" {
	local second u t1 t2
	daemon
	# In a pid namespace of its own, the waiting usher's /proc shows no
	# holder of the lock: only a watch on the file can tell it when the
	# lock goes.  A re-check every second starts it some 800 ms late
	# here: the lock goes some 100 ms into the second that began with the
	# wait; a watch, at once (well under 200 ms, even on a busy machine).
	start_bg unshare --pid --fork --mount-proc "$USHER" --if-running wait \
	    -p "$T/app.pid" -- "$PROBE" -r "$T/rep2" 3>&-
	second=$!
	wait_for 5 pgrep -P "$second"
	u=$(pgrep -P "$second")
	track_pid "$u"
	# (asleep: the one place where it sleeps is its wait)
	wait_for 5 grep -q '^State:[[:space:]]*S' "/proc/$u/status"
	assert_file_not_exists "$T/rep2"
	touch "$T/go"
	wait_gone "$spid" 5
	t1=$(now_ms)
	wait_file "$T/rep2" 5
	t2=$(now_ms)
	reap "$second"
	assert_equal "$status" 0
	[ $((t2 - t1)) -lt 500 ] ||
	    fail "the waiting usher started $((t2 - t1)) ms after the lock went"
}

@test "--if-running wait: USR1 meanwhile is dropped, TERM ends usher as by TERM, nothing started" {
	daemon
	start_bg "$USHER" --if-running wait -p "$T/app.pid" -- "$PROBE" \
	    -r "$T/rep2" 3>&-
	local u=$!
	wait_for 5 takes_signal "$u" TERM
	kill -USR1 "$u"
	# (read and dropped: nothing pending, and asleep in its wait again)
	# shellcheck disable=SC2016
	wait_for 5 sh -c '! grep -q "^ShdPnd:.*[1-9a-f]" "/proc/$0/status" &&
	    grep -q "^State:[[:space:]]*S" "/proc/$0/status"' "$u"
	run pid_gone "$u"
	assert_failure
	kill -TERM "$u"
	reap "$u"
	assert_equal "$status" 143
	assert_file_not_exists "$T/rep2"
	printf '%s\n' "$cpid" | cmp - "$T/app.pid"
}

@test "a stale pidfile (a dead pid, no lock) is reused" {
	sh -c 'echo $$' >"$T/dead"
	cp "$T/dead" "$T/app.pid"
	daemon
	[ "$cpid" != "$(cat "$T/dead")" ]
	printf '%s\n' "$cpid" | cmp - "$T/app.pid"
}

@test "a stale pidfile holding garbage is reused" {
	printf 'garbage that is no pid at all\n' >"$T/app.pid"
	daemon
	printf '%s\n' "$cpid" | cmp - "$T/app.pid"
}

@test "killing the command removes the pidfiles and ends the supervisor" {
	daemon
	kill -KILL "$cpid"
	wait_gone "$spid" 5
	assert_file_not_exists "$T/app.pid"
	assert_file_not_exists "$T/sup.pid"
}

@test "TERM to the supervisor stops the command and removes both pidfiles" {
	daemon -- -t TERM -s "$T/sig" -w TERM
	kill -TERM "$spid"
	wait_gone "$cpid" 5
	wait_gone "$spid" 5
	assert_equal "$(count_sig "$T/sig" TERM)" 1
	assert_file_not_exists "$T/app.pid"
	assert_file_not_exists "$T/sup.pid"
}

@test "a pidfile in a missing directory: 125, one line, nothing starts" {
	run_usher -d -p "$T/nodir/app.pid" -- "$PROBE" -r "$T/rep"
	assert_equal "$status" 125
	assert_equal "$stderr" "usher: $T/nodir/app.pid: No such file or directory"
	assert_file_not_exists "$T/rep"
}

@test "a missing command in the foreground leaves no pidfile" {
	run_usher -127 -p "$T/app.pid" -P "$T/sup.pid" -- usher-test-no-such-command
	assert_equal "$stderr" "usher: usher-test-no-such-command: command not found"
	assert_file_not_exists "$T/app.pid"
	assert_file_not_exists "$T/sup.pid"
}

@test "--status: 0 and the pid while running, and the file is untouched" {
	daemon
	touch -d '2001-02-03 04:05:06' "$T/app.pid"
	local before
	before=$(mtime_of "$T/app.pid")
	run_usher --status -p "$T/app.pid"
	assert_equal "$status" 0
	assert_output "$cpid"
	assert_equal "$stderr" ""
	assert_equal "$(mtime_of "$T/app.pid")" "$before"
	printf '%s\n' "$cpid" | cmp - "$T/app.pid"
}

@test "--status: 1 for a stale pidfile, which stays as it was" {
	printf '%s\n' 4242 >"$T/app.pid"
	touch -d '2001-02-03 04:05:06' "$T/app.pid"
	local before
	before=$(mtime_of "$T/app.pid")
	run_usher --status -p "$T/app.pid"
	assert_equal "$status" 1
	assert_output ""
	assert_equal "$(mtime_of "$T/app.pid")" "$before"
	printf '4242\n' | cmp - "$T/app.pid"
}

@test "--status: 3 when there is no pidfile, and none is created" {
	run_usher --status -p "$T/app.pid"
	assert_equal "$status" 3
	assert_output ""
	assert_file_not_exists "$T/app.pid"
}

@test "--status and --stop need -p" {
	run_usher --status
	assert_equal "$status" 125
	assert_equal "$stderr" "usher: --status: needs -p PIDFILE"
	run_usher --stop
	assert_equal "$status" 125
	assert_equal "$stderr" "usher: --stop: needs -p PIDFILE"
}

# stopped: the --stop just run returned 0 and said nothing, once the
# daemon's command and supervisor were gone with both pidfiles; the
# command got one TERM.
stopped() {
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	pid_gone "$cpid"
	pid_gone "$spid"
	assert_file_not_exists "$T/app.pid"
	assert_file_not_exists "$T/sup.pid"
	assert_equal "$(count_sig "$T/sig" TERM)" 1
}

@test "--stop: TERM, and the instance is gone when it returns 0" {
	daemon -- -t TERM -s "$T/sig" -w TERM
	run_usher --stop -p "$T/app.pid"
	stopped
}

@test "--stop -k 0.5s: a command that ignores TERM is killed; 0 within 2 s" {
	daemon -- -t TERM -s "$T/sig" -W "$T/go"
	local t0
	t0=$(now_ms)
	run_usher --stop -p "$T/app.pid" -k 0.5s
	local dt=$(( $(now_ms) - t0 ))
	stopped
	[ "$dt" -ge 450 ] && [ "$dt" -lt 2000 ] || fail "--stop took ${dt} ms"
}

@test "--stop -S USR1: the stop signal is -S" {
	daemon -- -t USR1 -s "$T/sig" -w USR1
	run_usher --stop -S USR1 -p "$T/app.pid"
	assert_equal "$status" 0
	pid_gone "$cpid"
	assert_equal "$(count_sig "$T/sig" USR1)" 1
	assert_equal "$(count_sig "$T/sig" TERM)" 0
}

@test "--stop when nothing runs: 0, for no pidfile and for a stale one" {
	run_usher --stop -p "$T/app.pid"
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	sh -c 'echo $$' >"$T/app.pid"
	run_usher --stop -p "$T/app.pid"
	assert_equal "$status" 0
	assert_equal "$stderr" ""
}

@test "--stop without pidfd_open: a TERM that is obeyed ends the wait at once" {
	daemon -- -t TERM -s "$T/sig" -w TERM
	local t0
	t0=$(now_ms)
	run --separate-stderr "$HELPERS/nopidfd" "$USHER" --stop -p "$T/app.pid"
	local dt=$(( $(now_ms) - t0 ))
	stopped
	[ "$dt" -lt 2000 ] || fail "--stop took ${dt} ms"
}

@test "--stop -k 0.5s without pidfd_open: KILL after the grace, 0 within 2 s" {
	daemon -- -t TERM -s "$T/sig" -W "$T/go"
	local t0
	t0=$(now_ms)
	run --separate-stderr "$HELPERS/nopidfd" "$USHER" --stop \
	    -p "$T/app.pid" -k 0.5s
	local dt=$(( $(now_ms) - t0 ))
	stopped
	[ "$dt" -ge 450 ] && [ "$dt" -lt 2000 ] || fail "--stop took ${dt} ms"
}

# nobody_dir: $T/run, a directory of nobody's that nobody can reach.
nobody_dir() {
	reachable "$T"
	mkdir "$T/run"
	chown nobody:nogroup "$T/run"
}

@test "--stop as root never signals a pid that another user wrote into the file" {
	[ "$(id -u)" = 0 ] || fail "this test needs root"
	nobody_dir
	# A process of root's, which the other user would like killed.
	start_bg "$PROBE" -r "$T/victim" -t TERM -s "$T/vsig" -W "$T/never" -T 20
	local victim=$!
	wait_file "$T/victim"
	# nobody writes its pid into the file and holds the lock with
	# processes that ignore TERM (flock and the probe it runs).
	start_bg setpriv --reuid=nobody --regid=nogroup --clear-groups sh -c '
	    echo "$2" >"$1/run/app.pid"
	    trap "" TERM
	    exec flock -n "$1/run/app.pid" "$0" -R "$1/run/ready" -t TERM \
	        -s "$1/run/sig" -W "$1/never" -T 20' "$PROBE" "$T" "$victim"
	local holder=$!
	wait_file "$T/run/ready"
	local child
	child=$(cat "/proc/$holder/task/$holder/children")
	track_pid "$child"
	run_usher --stop -p "$T/run/app.pid" -k 1s
	local st=$status err=$stderr
	run pid_gone "$victim"
	assert_failure
	assert_equal "$(count_sig "$T/vsig" TERM)" 0
	assert_equal "$st" 0
	assert_equal "$err" "usher: $T/run/app.pid: pid $victim does not belong to the instance: not signalled"
	# the holders, which are the instance, got TERM, then KILL
	pid_gone "$holder"
	pid_gone "$child"
	assert_equal "$(count_sig "$T/run/sig" TERM)" 1
}

@test "-x -p: the pidfile holds usher's pid, which is the command's, and the command holds the lock" {
	start_bg "$USHER" -x -p "$T/app.pid" -- "$PROBE" -r "$T/rep" \
	    -W "$T/go" -T 10
	local u=$!
	wait_file "$T/rep"
	assert_equal "$(field "$T/rep" pid)" "$u"
	printf '%s\n' "$u" | cmp - "$T/app.pid"
	run_usher --status -p "$T/app.pid"
	assert_equal "$status" 0
	assert_output "$u"
	run_usher -p "$T/app.pid" -- "$PROBE" -r "$T/rep2"
	assert_equal "$status" 125
	assert_equal "$stderr" "usher: $T/app.pid: already running as pid $u"
	assert_file_not_exists "$T/rep2"
	touch "$T/go"
	reap "$u"
	assert_equal "$status" 0
	# the lock went with the command: at most a stale file is left
	run_usher --status -p "$T/app.pid"
	[ "$status" = 1 ] || [ "$status" = 3 ]
}

@test "--stop on an -x instance: the command holds the lock and gets the signal" {
	start_bg "$USHER" -x -p "$T/app.pid" -- "$PROBE" -r "$T/rep" \
	    -t TERM -s "$T/sig" -w TERM -T 10
	local u=$!
	wait_file "$T/rep"
	run_usher --stop -p "$T/app.pid"
	assert_equal "$status" 0
	reap "$u"
	assert_equal "$status" 0
	assert_equal "$(count_sig "$T/sig" TERM)" 1
}

@test "-x -p: the lock is the only fd usher leaves the command" {
	start_bg "$USHER" -x --close-fds -p "$T/app.pid" -- "$PROBE" \
	    -r "$T/rep" -W "$T/go" -T 10 5>"$T/five"
	local u=$!
	wait_file "$T/rep"
	local fds
	fds=$(field "$T/rep" fds)
	touch "$T/go"
	reap "$u"
	local lockfd=${fds#0,1,2,}
	[[ "$lockfd" =~ ^[0-9]+$ ]] || fail "fds=$fds"
	assert_equal "$(field "$T/rep" "fd.$lockfd")" "$T/app.pid"
}

@test "no pidfile's lock reaches the command, in the foreground either" {
	"$PROBE" -r "$T/plain"
	run "$USHER" -p "$T/a.pid" -P "$T/s.pid" -- "$PROBE" -r "$T/rep"
	assert_success
	assert_equal "$(field "$T/rep" fds)" "$(field "$T/plain" fds)"
	run "$USHER" -s -p "$T/a.pid" -- "$PROBE" -r "$T/rep2"
	assert_equal "$(field "$T/rep2" fds)" "$(field "$T/plain" fds)"
}

@test "a start refused as already running leaves the instance's log alone" {
	"$USHER" -d -p "$T/app.pid" -f "1>$T/app.log" -- sh -c \
	    'echo important; exec "$0" -W "$1/never" -T 20' "$PROBE" "$T"
	track_pid "$(cat "$T/app.pid")"
	wait_line "$T/app.log" important
	run_usher -d -p "$T/app.pid" -f "1>$T/app.log" -- true
	assert_equal "$status" 125
	run_usher --if-running skip -p "$T/app.pid" -o "$T/app.log" -- true
	assert_equal "$status" 0
	assert_equal "$(cat "$T/app.log")" important
	"$USHER" --stop -p "$T/app.pid"
}

@test "--pdeathsig with -d watches the supervisor, not the caller that left" {
	"$USHER" -d -p "$T/app.pid" -P "$T/sup.pid" --pdeathsig TERM -- \
	    "$PROBE" -r "$T/rep" -W "$T/never" -T 20
	local pid sup
	pid=$(cat "$T/app.pid")
	sup=$(cat "$T/sup.pid")
	track_pid "$pid" "$sup"
	assert_equal "$(field "$T/rep" pdeathsig)" 15
	run pid_gone "$pid"
	assert_failure
	kill -KILL "$sup"
	wait_gone "$pid"
}
