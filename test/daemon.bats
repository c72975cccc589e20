#!/usr/bin/env bats
# -d, --daemon (SPEC §2): the caller returns once the outcome is known; the
# command runs detached under a supervisor that is no session leader, in a
# process group of its own, with cwd /, stdio on /dev/null, no terminal and
# none of the caller's other fds.  Also -d -x, -T, -v, and an init script
# driven through start, status, restart and stop.

load test_helper

# rep_pid_is PID: the probe's report is PID's.
rep_pid_is() {
	[ "$(field "$T/rep" pid 2>/dev/null)" = "$1" ]
}

@test "-d: the caller returns promptly with 0 while the command runs on" {
	local t0
	t0=$(now_ms)
	run_usher -d -p "$T/app.pid" -- "$PROBE" -r "$T/rep" -W "$T/go" \
	    -T 10
	local dt=$(( $(now_ms) - t0 ))
	local pid
	pid=$(cat "$T/app.pid")
	track_pid "$pid"
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	assert_output ""
	[ "$dt" -lt 2000 ] || fail "the caller took ${dt} ms"
	run pid_gone "$pid"
	assert_failure
}

@test "-d: the command's parent is the supervisor, not the caller" {
	start_bg "$USHER" -d -P "$T/sup.pid" -- "$PROBE" -r "$T/rep" \
	    -W "$T/go" -T 10
	local caller=$!
	reap "$caller"
	local s
	s=$(cat "$T/sup.pid")
	track_pid "$s"
	assert_equal "$status" 0
	wait_file "$T/rep"
	track_pid "$(field "$T/rep" pid)"
	assert_equal "$(field "$T/rep" ppid)" "$s"
	[ "$s" != "$caller" ]
	assert_equal "$(cat "/proc/$s/comm")" usher
	run pid_gone "$s"
	assert_failure
}

@test "-d: the command leads its group in a session led by neither it nor the supervisor" {
	daemon
	local pgid sid
	pgid=$(field "$T/rep" pgid)
	sid=$(field "$T/rep" sid)
	assert_equal "$pgid" "$cpid"
	[ "$sid" != "$cpid" ] || fail "the command leads its session"
	[ "$sid" != "$spid" ] || fail "the supervisor leads the session"
	# the supervisor shares that session and is no session leader
	assert_equal "$(stat_field "$spid" 4)" "$sid"
	[ "$(stat_field "$spid" 4)" != "$spid" ]
	# and it is a session of its own, not the caller's
	[ "$sid" != "$(stat_field $$ 4)" ]
}

@test "-d: cwd is / and the umask is kept" {
	cd "$T"
	umask 0027
	daemon
	assert_equal "$(field "$T/rep" cwd)" /
	assert_equal "$(field "$T/rep" umask)" 0027
}

@test "-d -C DIR: cwd is DIR; -m sets the command's umask" {
	mkdir "$T/sub"
	daemon -C "$T/sub" -m 0002
	assert_equal "$(field "$T/rep" cwd)" "$(cd "$T/sub" && pwd -P)"
	assert_equal "$(field "$T/rep" umask)" 0002
}

@test "-d -C DIR: a relative DIR is relative to the caller's cwd" {
	mkdir "$T/sub"
	cd "$T"
	daemon -C sub
	assert_equal "$(field "$T/rep" cwd)" "$(cd "$T/sub" && pwd -P)"
}

@test "-d: stdin, stdout and stderr are /dev/null and no other fd is open" {
	daemon 5>"$T/five"
	assert_equal "$(field "$T/rep" fds)" 0,1,2
	assert_equal "$(field "$T/rep" fd.0)" /dev/null
	assert_equal "$(field "$T/rep" flags.0)" rdonly
	assert_equal "$(field "$T/rep" fd.1)" /dev/null
	assert_equal "$(field "$T/rep" fd.2)" /dev/null
}

@test "-d -o FILE: stdout and stderr go to FILE, appended; stdin stays /dev/null" {
	daemon -o "$T/out.log"
	local log
	log=$(cd "$T" && pwd -P)/out.log
	assert_equal "$(field "$T/rep" fds)" 0,1,2
	assert_equal "$(field "$T/rep" fd.0)" /dev/null
	assert_equal "$(field "$T/rep" fd.1)" "$log"
	assert_equal "$(field "$T/rep" fd.2)" "$log"
	assert_equal "$(field "$T/rep" flags.1)" wronly,append
}

@test "-d -f: a mapped fd replaces /dev/null, the others stay" {
	daemon -f "2>$T/err.log"
	local log
	log=$(cd "$T" && pwd -P)/err.log
	assert_equal "$(field "$T/rep" fds)" 0,1,2
	assert_equal "$(field "$T/rep" fd.0)" /dev/null
	assert_equal "$(field "$T/rep" fd.1)" /dev/null
	assert_equal "$(field "$T/rep" fd.2)" "$log"
}

@test "-d -o FILE collects the command's output, relative to the caller's cwd" {
	echo old >"$T/out.log"
	cd "$T"
	run_usher -d -o out.log -- sh -c 'echo out; echo err >&2; : >"$0/done"' \
	    "$T"
	assert_equal "$status" 0
	wait_file "$T/done"
	run cat "$T/out.log"
	assert_output "$(printf 'old\nout\nerr')"
}

@test "-d: the command has no controlling terminal, though the caller had one" {
	printf 'eof\n' >"$T/script"
	run "$PTYRUN" -T 10 -s "$T/script" -- sh -c \
	    'tty; exec "$0" -d -- "$1" -r "$2/rep" -W "$2/go" -T 10' \
	    "$USHER" "$PROBE" "$T"
	[ -f "$T/rep" ] && track_pid "$(field "$T/rep" pid)" \
	    "$(field "$T/rep" ppid)"
	assert_equal "$status" 0
	assert_output --partial /dev/pts/
	assert_equal "$(field "$T/rep" ctty)" none
	assert_equal "$(field "$T/rep" tty_nr)" 0
}

@test "-d: the supervisor keeps none of the caller's fds above 2" {
	daemon 5>"$T/five"
	local f n=0
	for f in /proc/"$spid"/fd/*; do
		[ "$(readlink "$f")" = "$(cd "$T" && pwd -P)/five" ] && n=$((n + 1))
	done
	assert_equal "$n" 0
}

@test "-d: a missing command gives the caller 127 and one line, and leaves no pidfile" {
	run_usher -127 -d -p "$T/app.pid" -P "$T/sup.pid" -- \
	    usher-test-no-such-command
	assert_equal "$stderr" "usher: usher-test-no-such-command: command not found"
	assert_output ""
	assert_file_not_exists "$T/app.pid"
	assert_file_not_exists "$T/sup.pid"
}

@test "-d: the pidfiles of a failed start are gone when the caller returns, every time" {
	# Many quick tries without run's overhead: a supervisor that answers
	# the caller before it removes its pidfiles loses this race now and then.
	local i st bad=""
	for i in $(seq 100); do
		"$USHER" -d -p "$T/app.pid" -P "$T/sup.pid" -- \
		    usher-test-no-such-command 2>"$T/err" 3>&- && st=0 || st=$?
		[ "$st" = 127 ] || bad+=" try $i: status $st: $(cat "$T/err");"
		[ -e "$T/app.pid" ] && bad+=" try $i: -p left;"
		[ -e "$T/sup.pid" ] && bad+=" try $i: -P left;"
	done
	[ -z "$bad" ] || fail "$bad"
}

@test "-d: a command that cannot be executed gives the caller 126" {
	printf 'not a program\n' >"$T/noexec"
	chmod 644 "$T/noexec"
	run_usher -d -p "$T/app.pid" -- "$T/noexec"
	assert_equal "$status" 126
	assert_equal "${#lines[@]}" 0
	[[ "$stderr" == "usher: $T/noexec: Permission denied" ]]
}

# daemon_x: usher -d -x -p $T/app.pid -- probe -r $T/rep -W $T/go -T 10
# must succeed, and the probe's report be the command's; $pid is the
# pidfile's, tracked.
daemon_x() {
	run_usher -d -x -p "$T/app.pid" -- "$PROBE" -r "$T/rep" -W "$T/go" \
	    -T 10
	pid=$(cat "$T/app.pid")
	track_pid "$pid"
	assert_equal "$status" 0
	wait_file "$T/rep"
	assert_equal "$(field "$T/rep" pid)" "$pid"
}

@test "-d -x: no supervisor; the pidfile holds the command, which holds the lock" {
	local pid pp
	daemon_x
	pp=$(field "$T/rep" ppid)
	[ "$(cat "/proc/$pp/comm" 2>/dev/null)" != usher ] ||
	    fail "the command's parent $pp is an usher"
	[ "$(field "$T/rep" sid)" != "$pid" ]
	assert_equal "$(field "$T/rep" ctty)" none
	assert_equal "$(field "$T/rep" cwd)" /
	run_usher --status -p "$T/app.pid"
	assert_equal "$status" 0
	assert_output "$pid"
}

@test "-d -x: the command leads a process group of its own" {
	local pid
	daemon_x
	assert_equal "$(field "$T/rep" pgid)" "$pid"
}

@test "-d -x: a missing command gives 127 and leaves no pidfile" {
	run_usher -127 -d -x -p "$T/app.pid" -- usher-test-no-such-command
	assert_equal "$stderr" "usher: usher-test-no-such-command: command not found"
	assert_file_not_exists "$T/app.pid"
}

@test "-d -T TITLE: the supervisor's process title" {
	daemon -T "my service"
	run cat "/proc/$spid/cmdline"
	[[ "$output" == "my service"* ]] || fail "cmdline: $output"
}

@test "-d: the default title is 'usher: COMMAND'" {
	daemon
	run cat "/proc/$spid/cmdline"
	[[ "$output" == "usher: $PROBE"* ]] || fail "cmdline: $output"
}

@test "-d -v: nothing on the caller's stderr" {
	daemon -v
	assert_equal "$stderr" ""
	assert_output ""
}

@test "an init script made of usher alone: start, status, restart, stop" {
	cat >"$T/app" <<-EOF
	#!/bin/sh
	PIDFILE="$T/app.pid"
	LOG="$T/app.log"
	case "\$1" in
	start)   "$USHER" -d -p "\$PIDFILE" -o "\$LOG" -- "$PROBE" -r "$T/rep" -W "$T/never" -T 20 ;;
	stop)    "$USHER" --stop -p "\$PIDFILE" -k 5s ;;
	status)  "$USHER" --status -p "\$PIDFILE" ;;
	restart) "\$0" stop && "\$0" start ;;
	*)       echo "usage: \$0 start|stop|status|restart" >&2; exit 2 ;;
	esac
	EOF
	chmod +x "$T/app"

	run --separate-stderr "$T/app" start 3>&-
	local pid1
	pid1=$(cat "$T/app.pid")
	track_pid "$pid1"
	assert_equal "$status" 0
	wait_for 5 rep_pid_is "$pid1"
	local sup1
	sup1=$(field "$T/rep" ppid)
	track_pid "$sup1"

	run --separate-stderr "$T/app" status
	assert_equal "$status" 0
	assert_output "$pid1"

	run --separate-stderr "$T/app" start 3>&-
	assert_equal "$status" 125
	assert_equal "$stderr" "usher: $T/app.pid: already running as pid $pid1"

	run --separate-stderr "$T/app" restart 3>&-
	local pid2
	pid2=$(cat "$T/app.pid")
	track_pid "$pid2"
	assert_equal "$status" 0
	[ "$pid2" != "$pid1" ]
	wait_for 5 rep_pid_is "$pid2"
	track_pid "$(field "$T/rep" ppid)"
	pid_gone "$pid1"
	pid_gone "$sup1"

	run --separate-stderr "$T/app" stop
	assert_equal "$status" 0
	pid_gone "$pid2"
	assert_file_not_exists "$T/app.pid"

	run --separate-stderr "$T/app" status
	assert_equal "$status" 3
	assert_output ""
}

@test "a daemon's command stopped from outside does not stop its supervisor" {
	"$USHER" -d -p "$T/app.pid" -P "$T/sup.pid" -- "$PROBE" -r "$T/rep" \
	    -t CONT -s "$T/sig" -W "$T/never" -T 20
	local pid sup
	pid=$(cat "$T/app.pid")
	sup=$(cat "$T/sup.pid")
	track_pid "$pid" "$sup"
	kill -STOP "$pid"
	wait_for 5 state_is "$pid" T
	kill -CONT "$pid"
	wait_line "$T/sig" '^CONT '
	# the supervisor still runs: a TERM to it ends everything
	state_is "$sup" S
	kill -TERM "$sup"
	wait_gone "$sup"
	wait_gone "$pid"
	assert_file_not_exists "$T/app.pid"
}
