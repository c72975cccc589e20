#!/usr/bin/env bats
# The README's recipes, taken from README.md itself and run with test
# stand-ins for the programs and paths they name: if a recipe in the README
# stops working, this fails.

load test_helper

README=$BATS_TEST_DIRNAME/../README.md

# block TEXT: the indented code block that follows the README line holding
# TEXT, without its four-space indent.
block() {
	awk -v key="$1" '
	    found && /^    / { sub(/^    /, ""); print; inblock = 1; next }
	    found && inblock && !/^    / { exit }
	    index($0, key) { found = 1 }' "$README"
}

# line TEXT: the README code line holding TEXT, without its indent.
line() {
	grep -F -- "$1" "$README" | head -1 | sed 's/^ *//'
}

# stand-ins: usher is the binary under test, paths go to $T, and programs
# are replaced by the probe (or a shell) as each test says.
paths() {
	sed -e "s#/run/#$T/#g" -e "s#/var/log/#$T/#g" \
	    -e "s#^usher #\"\$USHER\" #" -e "s#\([;&|(] *\)usher #\1\"\$USHER\" #g" \
	    -e "s#  *usher #  \"\$USHER\" #g"
}

@test "README: the init script starts, reports, restarts and stops" {
	block "An init script needs nothing else:" | paths |
	    sed "s#/usr/sbin/app#\"\$PROBE\" -r \"$T/rep\" -W \"$T/never\" -T 30#g" \
	    >"$T/app.init"
	grep -q 'usher --stop' "$README"
	assert [ -s "$T/app.init" ]
	export USHER PROBE
	run sh "$T/app.init" start
	assert_success
	local pid
	pid=$(cat "$T/app.pid")
	track_pid "$pid"
	run sh "$T/app.init" status
	assert_success
	assert_output "$pid"
	run sh "$T/app.init" start
	assert_equal "$status" 125
	run sh "$T/app.init" restart
	assert_success
	local pid2
	pid2=$(cat "$T/app.pid")
	track_pid "$pid2"
	[ "$pid2" != "$pid" ]
	wait_gone "$pid"
	run sh "$T/app.init" stop
	assert_success
	wait_gone "$pid2"
	run sh "$T/app.init" status
	assert_equal "$status" 3
	run sh "$T/app.init" bogus
	assert_equal "$status" 2
}

@test "README: the cron line never overlaps and never hangs" {
	local cron
	cron=$(line "17 3 * * *" | sed 's/^17 3 \* \* \*  //' | paths |
	    sed "s#/usr/local/bin/backup#\"\$PROBE\" -r \"\$T/rep\" -R \"\$T/ready\" -W \"\$T/go\" -T 20#")
	[[ "$cron" == *"--if-running skip"* ]]
	export PROBE T
	eval "start_bg $cron"
	local first=$!
	wait_file "$T/ready"
	track_pid "$(field "$T/rep" pid)"
	rm -f "$T/rep"
	eval "run $cron"
	assert_success
	assert_file_not_exists "$T/rep"
	touch "$T/go"
	reap "$first"
	assert_equal "$status" 0
}

@test "README: the CI step leaves nothing behind and writes its report" {
	local ci
	ci=$(line "--report step.json" | paths |
	    sed "s#make integration-test#sh -c '\"\$PROBE\" -r \"\$T/gc\" -R \"\$T/gcready\" -W \"\$T/never\" -T 20 \& \"\$PROBE\" -W \"\$T/gcready\" -T 10 || exit 99; exit 3'#")
	cd "$T"
	export PROBE T
	eval "run $ci"
	assert_equal "$status" 3
	local gc
	gc=$(field "$T/gc" pid)
	track_pid "$gc"
	wait_gone "$gc" 2
	run jq -e '.exit_code == 3 and .timed_out == false' "$T/step.json"
	assert_success
}

@test "README: the fd recipes" {
	cd "$T"
	# 2>&1 into a pipe
	run sh -c '"$0" -f "2>&1" -- sh -c "echo to-err >&2" 2>/dev/null | cat' "$USHER"
	assert_output to-err
	line "usher -f '2>&1' -- make" | grep -q "usher -f '2>&1'"
	# the swap
	"$USHER" -f 1=2 -f 2=1 -- sh -c 'echo o; echo e >&2' >"$T/o" 2>"$T/e"
	assert_equal "$(cat "$T/o")" e
	assert_equal "$(cat "$T/e")" o
	# -o: >>build.log 2>&1
	echo before >build.log
	"$USHER" -o build.log -- sh -c 'echo a; echo b >&2'
	assert_equal "$(cat build.log)" "$(printf 'before\na\nb')"
	# files in and out
	echo hello >input.txt
	"$USHER" -f '0<input.txt' -f '1>out.txt' -- tr a-z A-Z
	assert_equal "$(cat out.txt)" HELLO
	# --close-fds keeps only what -f names
	"$USHER" --close-fds -f 3=5 -- "$PROBE" -r "$T/rep" 5>"$T/five" 6>"$T/six"
	assert_equal "$(field "$T/rep" fd.3)" "$T/five"
	run field "$T/rep" fd.6
	assert_failure
}

@test "README: the foreground recipes" {
	run "$USHER" --exit-map 143:0 -- sh -c 'kill -TERM $$'
	assert_success
	start_probe -R TERM:QUIT -- -t QUIT -w QUIT -T 10
	kill -TERM "$upid"
	reap "$upid"
	assert_equal "$status" 0
	assert_equal "$(count_sig "$T/sig" QUIT)" 1
	grep -qF "usher -R TERM:QUIT -- nginx" "$README"
	grep -qF "usher --exit-map 143:0 -- java" "$README"
}

@test "README: the OpenRC service starts and stops" {
	block "An OpenRC service, likewise:" | paths |
	    sed "s#/usr/sbin/app#\"\$PROBE\" -r \"$T/rep\" -W \"$T/never\" -T 30#g" |
	    grep -v '^#!' >"$T/app.rc"
	grep -q '^start()' "$T/app.rc"
	export USHER PROBE
	run sh -c 'ebegin() { :; }; eend() { return "$1"; }; . "$1"; start' sh "$T/app.rc"
	assert_success
	local pid
	pid=$(cat "$T/app.pid")
	track_pid "$pid"
	assert_equal "$(field "$T/rep" pid)" "$pid"
	run sh -c 'ebegin() { :; }; eend() { return "$1"; }; . "$1"; start' sh "$T/app.rc"
	assert_equal "$status" 125
	run sh -c 'ebegin() { :; }; eend() { return "$1"; }; . "$1"; stop' sh "$T/app.rc"
	assert_success
	wait_gone "$pid"
	assert_file_not_exists "$T/app.pid"
}

@test "README: the systemd unit's ExecStart returns with the pid in PIDFile" {
	local unit exec pidfile
	unit=$(block "And a systemd unit")
	grep -qx 'Type=forking' <<<"$unit"
	pidfile=$(sed -n 's/^PIDFile=//p' <<<"$unit" | paths)
	exec=$(sed -n 's/^ExecStart=//p' <<<"$unit" |
	    sed -e "s#/usr/local/bin/usher#\"\$USHER\"#" | paths |
	    sed "s#/usr/sbin/app#\"\$PROBE\" -W \"\$T/never\" -T 30#")
	export PROBE T
	eval "run $exec"
	assert_success
	# as systemd requires of Type=forking: the PID is there on return
	local pid
	pid=$(cat "$pidfile")
	track_pid "$pid"
	run pid_gone "$pid"
	assert_failure
	"$USHER" --stop -p "$pidfile"
	wait_gone "$pid"
}
