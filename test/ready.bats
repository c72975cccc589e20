#!/usr/bin/env bats
# --ready fd:N|notify and --ready-timeout (SPEC §3): in daemon mode the
# caller returns only once the command said it is ready, or with the
# command's status (and one line) when it ended first, or 124 when it took
# too long; in the foreground the timeout applies too.

load test_helper

NOTIFY=$HELPERS/notify

# The command of most tests: a shell that lets 0.3 s pass (the probe's -T
# deadline is the clock), creates $T/before, says it is ready by way of
# $SAY, then becomes a probe that reports into $T/rep and waits for $T/go.
# SAY is 'echo >&3' for fd:3 and '"$NOTIFY" READY=1' for notify.
slow_ready() {
	local say=$1
	shift
	run_usher -d -p "$T/app.pid" -P "$T/sup.pid" "$@" -- sh -c '
	    "$0" -W "$1/never" -T 0.3 2>/dev/null
	    : >"$1/before"
	    '"$say"'
	    exec "$0" -r "$1/rep" -e NOTIFY_SOCKET -W "$1/go" -T 10' \
	    "$PROBE" "$T" "$NOTIFY"
	# the files are read at once: what they hold as the caller returns
	cpid=$(cat "$T/app.pid" 2>/dev/null) && track_pid "$cpid"
	spid=$(cat "$T/sup.pid" 2>/dev/null) && track_pid "$spid"
	had_before=no
	[ -e "$T/before" ] && had_before=yes
	true
}

@test "--ready fd:3: the caller returns only once the command is ready" {
	slow_ready 'echo >&3' --ready fd:3
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	assert_equal "$had_before" yes
	[ -n "$cpid" ] || fail "no pid in the pidfile when the caller returned"
	run pid_gone "$cpid"
	assert_failure
	wait_file "$T/rep"
	assert_equal "$(field "$T/rep" pid)" "$cpid"
	assert_equal "$(field "$T/rep" ppid)" "$spid"
}

@test "--ready fd:3: fd 3 is the command's, and only fd 3 is added" {
	slow_ready 'echo >&3' --ready fd:3
	assert_equal "$status" 0
	wait_file "$T/rep"
	assert_equal "$(field "$T/rep" fds)" 0,1,2,3
	[[ "$(field "$T/rep" fd.3)" == pipe:* ]]
	assert_equal "$(field "$T/rep" flags.3)" wronly
}

@test "--ready notify: the caller returns only once READY=1 came" {
	slow_ready '"$2" READY=1' --ready notify
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	assert_equal "$had_before" yes
	[ -n "$cpid" ] || fail "no pid in the pidfile when the caller returned"
	wait_file "$T/rep"
	assert_equal "$(field "$T/rep" pid)" "$cpid"
	[[ "$(field "$T/rep" env.NOTIFY_SOCKET)" == ?* ]]
	assert_equal "$(field "$T/rep" fds)" 0,1,2
}

@test "--ready notify: other messages are not readiness" {
	slow_ready '"$2" STATUS=starting; "$2" READY=0; "$0" -W "$1/never" -T 0.3 2>/dev/null; : >"$1/after_status"; "$2" "$(printf "MAINPID=1\nREADY=1")"' \
	    --ready notify
	assert_equal "$status" 0
	[ -e "$T/after_status" ] || fail "returned before READY=1"
	wait_file "$T/rep"
}

@test "--ready fd:3: a command that exits first gives the caller its status and one line" {
	run_usher -d -p "$T/app.pid" -P "$T/sup.pid" --ready fd:3 -- \
	    sh -c 'exit 7'
	assert_equal "$status" 7
	assert_output ""
	assert_equal "$stderr" "usher: sh: exited with status 7 before it was ready"
	assert_file_not_exists "$T/app.pid"
	assert_file_not_exists "$T/sup.pid"
}

@test "--ready notify: a command killed first gives the caller 128+N and one line" {
	run_usher -d -p "$T/app.pid" --ready notify -- \
	    sh -c 'kill -USR1 $$'
	assert_equal "$status" 138
	assert_equal "$stderr" "usher: sh: killed by signal USR1 before it was ready"
	assert_file_not_exists "$T/app.pid"
}

@test "--ready fd:3: closing fd 3 without a line is no readiness" {
	run_usher -d -p "$T/app.pid" --ready fd:3 -- \
	    sh -c 'exec 3>&-; "$0" -W "$1/never" -T 0.3 2>/dev/null; exit 5' \
	    "$PROBE" "$T"
	assert_equal "$status" 5
	assert_equal "$stderr" "usher: sh: exited with status 5 before it was ready"
}

@test "--ready-timeout: not ready in time gives the caller 124 and one line; the command is stopped" {
	run_usher -d -p "$T/app.pid" -P "$T/sup.pid" --ready notify \
	    --ready-timeout 0.3s -- "$PROBE" -r "$T/rep" -t TERM -s "$T/sig" \
	    -w TERM -T 10
	local left_p=no left_sp=no
	[ -e "$T/app.pid" ] && left_p=yes
	[ -e "$T/sup.pid" ] && left_sp=yes
	[ -f "$T/rep" ] && track_pid "$(field "$T/rep" pid)" "$(field "$T/rep" ppid)"
	assert_equal "$status" 124
	assert_equal "$stderr" "usher: --ready: $PROBE was not ready in time"
	wait_file "$T/rep"
	wait_gone "$(field "$T/rep" pid)" 5
	assert_equal "$(count_sig "$T/sig" TERM)" 1
	# the instance is over when the caller hears so: no pidfile is left
	assert_equal "$left_p" no
	assert_equal "$left_sp" no
}

@test "--ready-timeout: the caller does not return before the timeout" {
	local t0
	t0=$(now_ms)
	run_usher -d -p "$T/app.pid" --ready fd:3 --ready-timeout 0.4s -- \
	    "$PROBE" -r "$T/rep" -T 10 -W "$T/never"
	local dt=$(( $(now_ms) - t0 ))
	[ -f "$T/rep" ] && track_pid "$(field "$T/rep" pid)" "$(field "$T/rep" ppid)"
	assert_equal "$status" 124
	[ "$dt" -ge 380 ] && [ "$dt" -lt 3000 ] || fail "returned after ${dt} ms"
}

@test "--stop while the caller waits for readiness: the caller hears how the command ended" {
	# Only the supervisor holds the instance's lock: --stop signals it,
	# not the caller, which reports the command's end like any other.
	start_bg "$USHER" -d -p "$T/app.pid" --ready fd:3 --ready-timeout 10s \
	    -- "$PROBE" -r "$T/rep" -W "$T/never" -T 10 2>"$T/err"
	local caller=$!
	wait_file "$T/rep"
	local pid
	pid=$(field "$T/rep" pid)
	track_pid "$pid" "$(field "$T/rep" ppid)"
	wait_for 5 test -s "$T/app.pid"
	run_usher --stop -p "$T/app.pid"
	assert_equal "$status" 0
	reap "$caller"
	assert_equal "$status" 143
	run cat "$T/err"
	assert_output "usher: $PROBE: killed by signal TERM before it was ready"
	pid_gone "$pid"
}

@test "--ready in the foreground: ready, then the command's own status" {
	run_usher --ready fd:3 -- sh -c 'echo >&3; exit 6'
	assert_equal "$status" 6
	assert_equal "$stderr" ""
}

@test "--ready in the foreground with --ready-timeout: 124 and one line" {
	start_bg "$USHER" --ready notify --ready-timeout 0.3s -- "$PROBE" \
	    -r "$T/rep" -W "$T/never" -T 10 2>"$T/err"
	local u=$!
	reap "$u"
	[ -f "$T/rep" ] && track_pid "$(field "$T/rep" pid)"
	assert_equal "$status" 124
	run cat "$T/err"
	assert_output "usher: --ready: $PROBE was not ready in time"
	pid_gone "$(field "$T/rep" pid)"
}

@test "--ready notify: a word from another user is not heard" {
	[ "$(id -u)" = 0 ] || fail "this test needs root"
	run -124 --separate-stderr "$USHER" --ready notify --ready-timeout 0.5s \
	    -- sh -c 'setpriv --reuid=nobody --regid=nogroup --clear-groups \
	        "$0" READY=1; exec sleep 5' "$NOTIFY"
	# the other user cannot even send: the socket is not for it
	assert_regex "$stderr" '^notify: sendto /run/usher-notify\.[[:alnum:]]{6}/notify: Permission denied
usher: --ready: sh was not ready in time$'
}

# flood SOCKET N: as a user of its own, send N datagrams to SOCKET (a path,
# or @name) without waiting, and print how many went.
flood() {
	setpriv --reuid=4242 --regid=4242 --clear-groups perl -MSocket -e '
	    my ($name, $n) = @ARGV;
	    $name =~ s/^@/\0/;
	    socket(my $s, AF_UNIX, SOCK_DGRAM, 0) or die "socket: $!";
	    my $to = pack_sockaddr_un($name);
	    my $sent = 0;
	    for (1 .. $n) { $sent++ if send($s, "X=1", MSG_DONTWAIT, $to) }
	    print "$sent\n"' "$1" "$2"
}

@test "--ready notify: no other user can reach the socket or fill its queue" {
	[ "$(id -u)" = 0 ] || fail "this test needs root"
	mkdir -m 777 "$T/w"
	reachable "$T"
	start_bg "$USHER" -d -p "$T/app.pid" -u nobody --ready notify \
	    --ready-timeout 10s -- sh -c '
	    echo "$NOTIFY_SOCKET" >"$1/sock.tmp" && mv "$1/sock.tmp" "$1/sock"
	    while [ ! -e "$1/go" ]; do sleep 0.01; done
	    "$0" -n READY=1 || exit 3
	    exec sleep 30' "$NOTIFY" "$T/w" 2>"$T/err"
	local caller=$! sock
	wait_file "$T/w/sock"
	sock=$(cat "$T/w/sock")
	# another user gets nothing in, however hard it tries
	assert_equal "$(flood "$sock" 2000)" 0
	run stat -c '%a %U' "${sock%/*}" "$sock"
	assert_output "711 root
600 nobody"
	touch "$T/w/go"
	reap "$caller"
	assert_equal "$(cat "$T/err")" ""
	assert_equal "$status" 0
	track_pid "$(cat "$T/app.pid")"
	"$USHER" --stop -p "$T/app.pid"
	assert_file_not_exists "${sock%/*}"
}

@test "-d --ready: the caller killed while it waits does not take the daemon down" {
	start_bg "$USHER" -d -p "$T/app.pid" --ready fd:3 -- sh -c \
	    '"$0" -W "$1/go" -T 20 || exit 99; echo >&3
	     exec "$0" -r "$1/rep" -W "$1/never" -T 20' "$PROBE" "$T"
	local caller=$!
	wait_file "$T/app.pid"
	track_pid "$(cat "$T/app.pid")"
	kill -KILL "$caller"
	reap "$caller"
	touch "$T/go"
	wait_file "$T/rep"
	# readiness was written to a caller that is gone: SIGPIPE, usher's own
	run "$USHER" --status -p "$T/app.pid"
	assert_success
	run pid_gone "$(field "$T/rep" pid)"
	assert_failure
	"$USHER" --stop -p "$T/app.pid"
}

@test "--ready notify: usher leaves no socket behind, however it ends" {
	[ "$(id -u)" = 0 ] || fail "this test needs root"
	local before
	before=$(ls -d /run/usher-notify.* 2>/dev/null || true)
	# the command's socket is in a directory of its own while it runs
	run "$USHER" --ready notify -- sh -c 'ls -ld "${NOTIFY_SOCKET%/*}"'
	assert_success
	assert_output --regexp '^drwx--x--x [0-9]+ root root .* /run/usher-notify\.[[:alnum:]]{6}$'
	run "$USHER" --ready notify -- sh -c 'exit 3'
	assert_equal "$status" 3
	run "$USHER" --ready notify --ready-timeout 0.1s -- sleep 5
	assert_equal "$status" 124
	run -127 "$USHER" --ready notify -- "$T/no such command"
	run "$USHER" -d --ready notify -- sh -c 'exit 4'
	assert_equal "$status" 4
	# a failure of usher's own before the start
	run "$USHER" --ready notify -u "no such user" -- true
	assert_equal "$status" 125
	exec 8>"$T/held.pid"
	flock -x 8
	run "$USHER" --ready notify -p "$T/held.pid" -- true
	assert_equal "$status" 125
	exec 8>&-
	assert_equal "$(ls -d /run/usher-notify.* 2>/dev/null || true)" "$before"
}

@test "--ready fd:N: N is digits only, within the fd limit" {
	local top n
	top=$(($(ulimit -n) - 1))
	for n in fd:+3 'fd: 3' 'fd:3 ' fd:-0 fd: fd:0x3 "fd:$((top + 1))" \
	    fd:99999999999999999999; do
		refused "usher: --ready: invalid value '$n' (fd:N or notify)" \
		    --ready "$n"
	done
	run_usher --ready "fd:$top" -- bash -c "echo >&$top; exit 6"
	assert_equal "$status" 6
	assert_equal "$stderr" ""
}

@test "--ready given twice: the last one counts, fd:N then notify" {
	run_usher --close-fds --ready fd:3 --ready notify -- sh -c \
	    '"$1" READY=1 && exec "$0" -r "$2/rep"' "$PROBE" "$NOTIFY" "$T" 3>&-
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	assert_equal "$(field "$T/rep" fds)" 0,1,2
}

@test "--ready given twice: the last fd:N gets the pipe, the earlier N nothing" {
	run_usher --close-fds --ready fd:6 --ready fd:4 -- sh -c \
	    'echo >&4 && exec "$0" -r "$1/rep"' "$PROBE" "$T" 3>&-
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	assert_equal "$(field "$T/rep" fds)" 0,1,2,4
	[[ "$(field "$T/rep" fd.4)" == pipe:* ]]
}

@test "--ready-timeout after a forwarded TERM the command ignores: still 124 and timed_out" {
	# The TERM comes first and is ignored; the command is then not ready
	# in time, which decides the status, as ever (-k ends it later).
	start_bg "$USHER" --report "$T/r.json" --ready fd:3 --ready-timeout 1s \
	    -k 2s -- "$PROBE" -r "$T/rep" -t TERM -s "$T/sig" -W "$T/never" \
	    -T 10 2>"$T/err"
	local u=$!
	wait_file "$T/rep"
	track_pid "$(field "$T/rep" pid)"
	kill -TERM "$u"
	wait_line "$T/sig" TERM 5
	reap "$u"
	assert_equal "$status" 124
	run cat "$T/err"
	assert_output "usher: --ready: $PROBE was not ready in time"
	run jq -e '.timed_out == true and .status == 124 and .signal == "KILL"' \
	    "$T/r.json"
	assert_success
}

@test "-d --ready-timeout after -t: the caller hears 124 and that the command was not ready" {
	run_usher -d --ready fd:3 --ready-timeout 1s -t 0.3s -k 2s -- \
	    "$PROBE" -r "$T/rep" -t TERM -s "$T/sig" -W "$T/never" -T 10
	[ -f "$T/rep" ] && track_pid "$(field "$T/rep" pid)" "$(field "$T/rep" ppid)"
	assert_equal "$status" 124
	assert_equal "$stderr" "usher: --ready: $PROBE was not ready in time"
	assert_equal "$(count_sig "$T/sig" TERM)" 2
}
