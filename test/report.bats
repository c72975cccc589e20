#!/usr/bin/env bats
# --report FILE: one JSON object on exit (SPEC §6a), parsed here by jq.

load test_helper

@test "--report for a command that exits" {
	run "$USHER" --report "$T/r.json" -- sh -c 'exit 3'
	assert_equal "$status" 3
	run jq -e '.exit_code == 3 and .signal == null and .status == 3 and
	    .timed_out == false and .restarts == 0 and
	    .argv == ["sh", "-c", "exit 3"] and (.pid | type) == "number" and
	    (.usher_pid | type) == "number" and .pid != .usher_pid and
	    .wall_s >= 0 and .user_s >= 0 and .sys_s >= 0 and .max_rss_kb > 0 and
	    (.start | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{3}Z$")) and
	    .end >= .start' "$T/r.json"
	assert_success
	# written atomically: no temporary file is left behind
	assert_equal "$(ls "$T")" r.json
}

@test "--report for a command killed by a signal" {
	run "$USHER" --report "$T/r.json" -- sh -c 'kill -TERM $$'
	assert_equal "$status" 143
	run jq -e '.exit_code == null and .signal == "TERM" and .status == 143' \
	    "$T/r.json"
	assert_success
	run "$USHER" --exit-code-only --report "$T/r2.json" -- "$PROBE" -k KILL
	assert_equal "$status" 137
	run jq -e '.signal == "KILL" and .status == 137' "$T/r2.json"
	assert_success
}

@test "--report for a timeout" {
	run "$USHER" -t 0.2s --report "$T/r.json" -- sleep 10
	assert_equal "$status" 124
	run jq -e '.timed_out == true and .status == 124 and .signal == "TERM" and
	    .wall_s >= 0.15' "$T/r.json"
	assert_success
}

@test "--report for a command that is not found" {
	run -127 "$USHER" --report "$T/r.json" -- no-such-command-here
	run jq -e '.status == 127' "$T/r.json"
	assert_success
}

@test "--report escapes any argv: quotes, newlines, non-UTF-8 bytes" {
	local weird=$'say "hi"\\\n\ttab'
	local bad=$'a\xffb\xc3'
	run "$USHER" --report "$T/r.json" -- true "$weird" "$bad" "héllo 日本"
	assert_equal "$status" 0
	run jq -e --arg w "$weird" '.argv[1] == $w and .argv[2] == "a\ufffdb\ufffd" and
	    .argv[3] == "héllo 日本"' "$T/r.json"
	assert_success
}

@test "--report is relative to the caller's cwd, also with -C" {
	mkdir "$T/sub"
	cd "$T"
	run "$USHER" -C sub --report r.json -- true
	assert_equal "$status" 0
	assert_file_exists "$T/r.json"
	assert_file_not_exists "$T/sub/r.json"
}

@test "a report that cannot be written at the end is a warning; the status stays" {
	mkdir "$T/dir"
	run_usher --report "$T/dir/r.json" -- sh -c 'rmdir "$1"; exit 5' sh "$T/dir"
	assert_equal "$status" 5
	assert_equal "$stderr" "usher: --report: $T/dir/r.json: No such file or directory"
}

# report_is FILE STATUS PID ERROR: the report of a failure.  PID is null
# or a number; the command's argv is "touch $T/ran".
report_is() {
	run jq -e --arg err "$4" --arg ran "$T/ran" --argjson st "$2" \
	    --argjson pid "$3" '.status == $st and .pid == $pid and
	    .error == $err and .argv == ["touch", $ran] and
	    (.usher_pid | type) == "number" and .timed_out == false and
	    (.start | type) == "string" and (.end | type) == "string" and
	    .end >= .start and .wall_s >= 0' "$1"
	assert_success
}

# running: usher -p $T/app.pid -- probe in the background, the probe
# waiting for $T/go; returns once the pidfile names it, as $pid.
running() {
	start_bg "$USHER" -p "$T/app.pid" -- "$PROBE" -W "$T/go" -T 30
	wait_for 10 test -s "$T/app.pid"
	pid=$(cat "$T/app.pid")
}

@test "--report: a locked pidfile is refused, and reported" {
	local pid
	running
	refused "usher: $T/app.pid: already running as pid $pid" \
	    -p "$T/app.pid" --report "$T/r.json"
	report_is "$T/r.json" 125 null \
	    "$T/app.pid: already running as pid $pid"
	run jq -e '.exit_code == null and .signal == null and .restarts == 0' \
	    "$T/r.json"
	assert_success
	touch "$T/go"
}

@test "--report: an -o file that cannot be opened is refused, and reported" {
	refused "usher: $T/nodir/out: No such file or directory" \
	    -o "$T/nodir/out" --report "$T/r.json"
	report_is "$T/r.json" 125 null "$T/nodir/out: No such file or directory"
}

@test "--report: an unknown user is refused, and reported" {
	refused "usher: -u: unknown user 'no-such-user-here'" \
	    -u no-such-user-here --report "$T/r.json"
	report_is "$T/r.json" 125 null "-u: unknown user 'no-such-user-here'"
}

@test "--report: a failure in the child before exec is reported with its error" {
	refused "usher: -C: $T/nope: No such file or directory" \
	    -C "$T/nope" --report "$T/r.json"
	report_is "$T/r.json" 125 null "-C: $T/nope: No such file or directory"
	run jq -e '.exit_code == null and .signal == null' "$T/r.json"
	assert_success
	run_usher -127 --report "$T/r2.json" -- no-such-command-here
	assert_equal "$stderr" "usher: no-such-command-here: command not found"
	run jq -e '.status == 127 and .pid == null and .exit_code == null and
	    .error == "no-such-command-here: command not found"' "$T/r2.json"
	assert_success
}

@test "--report -d: the caller returns after the report of a failure is written" {
	local pid
	running
	refused "usher: $T/app.pid: already running as pid $pid" \
	    -d -p "$T/app.pid" --report "$T/r.json"
	report_is "$T/r.json" 125 null \
	    "$T/app.pid: already running as pid $pid"
	refused "usher: -C: $T/nope: No such file or directory" \
	    -d -C "$T/nope" --report "$T/r2.json"
	report_is "$T/r2.json" 125 null "-C: $T/nope: No such file or directory"
	touch "$T/go"
}

@test "--report: a fork that fails at a restart is reported with the last pid" {
	local upid cpid
	[ "$(id -u)" = 0 ] || skip "needs root to run usher as another user"
	# Root ignores RLIMIT_NPROC: usher runs as a uid of its own, whose
	# only process it is once the command ends.  That uid must reach $T/w
	# and the binaries, copied there.
	mkdir -m 777 "$T/w"
	reachable "$T"
	cp "$USHER" "$PROBE" "$T/w/"
	# LeakSanitizer needs a thread of its own at exit, which a limit of
	# one process refuses: under "make sanitize" it would replace the
	# 125.  Leaks are checked by every other test.
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    start_bg setpriv --reuid=4242 --regid=4242 --clear-groups \
	    "$T/w/usher" -r --restart-delay 0 --report "$T/w/r.json" -- \
	    "$T/w/probe" -r "$T/w/rep" -W "$T/w/go" -T 30 -x 1 2>"$T/err"
	upid=$!
	wait_file "$T/w/rep"
	cpid=$(field "$T/w/rep" pid)
	# (as that uid too: root here may lack CAP_SYS_RESOURCE)
	setpriv --reuid=4242 --regid=4242 --clear-groups \
	    prlimit --pid "$upid" --nproc=1:1
	touch "$T/w/go"
	reap "$upid"
	assert_equal "$status" 125
	assert_equal "$(cat "$T/err")" "usher: fork: Resource temporarily unavailable"
	run jq -e --argjson pid "$cpid" '.status == 125 and .pid == $pid and
	    .exit_code == 1 and .restarts == 1 and
	    .error == "fork: Resource temporarily unavailable"' "$T/w/r.json"
	assert_success
}

@test "--report: a directory that cannot take the report is refused at once" {
	refused "usher: --report: $T/nodir/r.json: No such file or directory" \
	    --report "$T/nodir/r.json"
	assert_file_not_exists "$T/nodir"
}

@test "--report: a read-only directory is refused at once, also for root" {
	[ "$(id -u)" = 0 ] || skip "needs root to mount"
	mkdir "$T/ro"
	mount --bind "$T/ro" "$T/ro"
	mount -o remount,bind,ro "$T/ro" || { umount "$T/ro"; false; }
	run_usher --report "$T/ro/r.json" -- touch "$T/ran"
	umount "$T/ro"
	assert_equal "$status" 125
	assert_equal "$stderr" "usher: --report: $T/ro/r.json: Read-only file system"
	assert_file_not_exists "$T/ran"
	assert_equal "$(ls -A "$T/ro")" ""
}

@test "--report: a usage error writes no report" {
	refused "usher: -g: conflicts with --single-child" \
	    --report "$T/r.json" -g --single-child
	assert_file_not_exists "$T/r.json"
}

@test "--report: the error of a very long path keeps its reason" {
	local long
	long=$T/$(printf 'd%.0s' $(seq 4500))/out
	run_usher -o "$long" --report "$T/r.json" -- touch "$T/ran"
	assert_equal "$status" 125
	assert_regex "$stderr" '^usher: /.*d\.\.\.d+/out: File name too long$'
	run jq -e --arg line "$stderr" '.error == ($line | ltrimstr("usher: "))' \
	    "$T/r.json"
	assert_success
}
