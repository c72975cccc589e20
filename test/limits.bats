#!/usr/bin/env bats
# Stress, bounded: a full filesystem under -o, --report, -p and -P, and fd
# limits of 4 to 8.  usher fails with one clean line and 125, starts nothing
# (or, for a pidfile that cannot be written once the command runs, stops
# it), and leaves nothing on disk; a report that cannot be written at the
# end is a warning and the command's status stays.

load test_helper

# A small tmpfs at $T/fs (root only), unmounted at teardown.
mount_small() {
	[ "$(id -u)" = 0 ] || skip "needs root to mount a tmpfs"
	mkdir "$T/fs"
	mount -t tmpfs -o "size=64k,nr_inodes=$1,mode=755" tmpfs "$T/fs"
	echo "$T/fs" >"$T/.mounts"
}

teardown() {
	local m
	if [ -f "$T/.mounts" ]; then
		while read -r m; do
			umount "$m" 2>/dev/null || true
		done <"$T/.mounts"
	fi
	[ -f "$T/.pids" ] || return 0
	while read -r m; do
		kill -KILL "$m" 2>/dev/null || true
	done <"$T/.pids"
}

# fill_blocks: write to $T/fs until no block is left.
fill_blocks() {
	! dd if=/dev/zero of="$T/fs/fill" bs=4k 2>/dev/null
}

# fill_inodes: create files in $T/fs until no inode is left.
fill_inodes() {
	local i=0
	while touch "$T/fs/i$i" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -lt 100 ] || fail "the tmpfs takes any number of files"
	done
}

@test "a full filesystem under -o: one line, 125, nothing started" {
	mount_small 8
	fill_blocks
	fill_inodes
	refused "usher: $T/fs/out: No space left on device" -o "$T/fs/out"
	assert_file_not_exists "$T/fs/out"
}

@test "a full filesystem under --report at the start: 125 at once" {
	mount_small 8
	fill_blocks
	fill_inodes
	refused "usher: --report: $T/fs/r.json: No space left on device" \
	    --report "$T/fs/r.json"
	assert_equal "$(find "$T/fs" -mindepth 1 -maxdepth 1 -printf '%f\n' |
	    grep -vc '^i[0-9]*$\|^fill$')" 0
}

@test "a filesystem that fills up during the run: a warning, the status stays" {
	mount_small 64
	run_usher --report "$T/fs/r.json" -- sh -c \
	    '! dd if=/dev/zero of="$1" bs=4k 2>/dev/null && exit 3' sh \
	    "$T/fs/fill"
	assert_equal "$status" 3
	assert_equal "$stderr" "usher: --report: $T/fs/r.json: No space left on device"
	# nothing half-written, no temporary file
	assert_equal "$(ls -A "$T/fs")" fill
}

# A pidfile on a filesystem with inodes but no block left can be created
# and locked, but not written: SPEC §5 wants the pid in it once the command
# runs, so the start fails (125, one line), the command is stopped, and
# nothing is left.  The probe would wait 5 s: usher must not.

# full_start ARG...: usher ARG... -- probe, on a full $T/fs; $dt is how
# long usher took, in ms.
full_start() {
	mount_small 8
	fill_blocks
	local t0
	t0=$(now_ms)
	run_usher "$@" -- "$PROBE" -r "$T/rep" -W "$T/never" -T 5
	dt=$(( $(now_ms) - t0 ))
}

# stopped_clean FILE: the start failed for FILE, the command was stopped,
# and $T/fs holds nothing of usher's.
stopped_clean() {
	assert_equal "$status" 125
	assert_equal "$stderr" "usher: $1: No space left on device"
	assert_equal "$output" ""
	[ "$dt" -lt 4000 ] || fail "usher took $dt ms: the command was not stopped"
	if [ -f "$T/rep" ]; then
		pid_gone "$(field "$T/rep" pid)"
	fi
	assert_equal "$(ls -A "$T/fs")" fill
}

@test "-p on a full filesystem in the foreground: the command is stopped, 125, one line" {
	full_start -p "$T/fs/app.pid" --report "$T/r.json"
	stopped_clean "$T/fs/app.pid"
	run jq -e --arg line "usher: $T/fs/app.pid: No space left on device" \
	    '.status == 125 and .pid != null and .error ==
	    ($line | ltrimstr("usher: "))' "$T/r.json"
	assert_success
}

@test "-P on a full filesystem in the foreground: the command is stopped, 125, one line" {
	full_start -P "$T/fs/sup.pid"
	stopped_clean "$T/fs/sup.pid"
}

@test "-d -p on a full filesystem: the caller hears 125 and the line, and nothing is left" {
	full_start -d -p "$T/fs/app.pid"
	stopped_clean "$T/fs/app.pid"
}

@test "-d -P on a full filesystem: the caller hears 125 and the line, and nothing is left" {
	full_start -d -P "$T/fs/sup.pid" -p "$T/app.pid"
	stopped_clean "$T/fs/sup.pid"
	assert_file_not_exists "$T/app.pid"
}

@test "-d --ready on a full filesystem: a command that says it is ready is no success" {
	mount_small 8
	fill_blocks
	local t0
	t0=$(now_ms)
	# TERM ignored from the start: the command lives to say it is
	# ready, and KILL ends it after -k
	run --separate-stderr sh -c 'trap "" TERM; exec "$0" "$@"' "$USHER" \
	    -d -k 0.5s --ready fd:3 -p "$T/fs/app.pid" -- sh -c \
	    'echo ready >&3; exec "$0" -r "$1/rep" -W "$1/never" -T 5' \
	    "$PROBE" "$T"
	dt=$(( $(now_ms) - t0 ))
	stopped_clean "$T/fs/app.pid"
}

@test "-x -p on a full filesystem: 125, one line, the command never starts" {
	mount_small 8
	fill_blocks
	refused "usher: $T/fs/app.pid: No space left on device" -x -p "$T/fs/app.pid"
	assert_equal "$(ls -A "$T/fs")" fill
}

@test "-d -x -p on a full filesystem: 125, one line, the command never starts" {
	mount_small 8
	fill_blocks
	refused "usher: $T/fs/app.pid: No space left on device" -d -x -p "$T/fs/app.pid"
	assert_equal "$(ls -A "$T/fs")" fill
}

# limited N ARG...: usher ARG... under "ulimit -n N", with no fd above 2
# inherited (so that N counts usher's own fds only), from $T/w.
limited() {
	local n=$1
	shift
	(
		cd "$T/w" || exit 97
		for fd in /proc/self/fd/*; do
			fd=${fd##*/}
			if [ "$fd" -gt 2 ]; then
				eval "exec $fd>&-"
			fi
		done
		# LeakSanitizer needs fds of its own at exit (it reads
		# /proc/PID/task); under "make sanitize" it would turn every
		# clean 125 into its own failure.  Leaks are checked elsewhere.
		export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
		ulimit -n "$n" && exec "$USHER" "$@"
	)
}

@test "fd limits of 4 to 8: one clean line, 125, nothing started or left" {
	local n opts failed=0
	mkdir "$T/w"
	for n in 4 5 6 7 8; do
		for opts in "" "-p app.pid" "-P sup.pid" "--ready fd:3" \
		    "--ready notify" "-o out" "-d" "-t 5s" \
		    "-d -p app.pid -P sup.pid -o out" \
		    "-p app.pid -o out -t 5s --report r.json"; do
			# shellcheck disable=SC2086
			run --separate-stderr limited "$n" $opts -- touch "$T/ran"
			if [ "$status" -eq 0 ]; then
				# enough fds after all: it ran, and cleaned up
				assert_file_exists "$T/ran"
				rm "$T/ran"
				assert_equal "$(find "$T/w" -mindepth 1 \
				    -maxdepth 1 -printf '%f\n' |
				    grep -v '^out$\|^r.json$')" ""
				rm -f "$T/w/out" "$T/w/r.json"
				continue
			fi
			failed=$((failed + 1))
			assert_equal "$status" 125
			assert_equal "$output" ""
			assert_regex "$stderr" '^usher: [^'$'\n'']+: Too many open files$'
			assert_file_not_exists "$T/ran"
			if [[ "$opts" == *--report* ]]; then
				run jq -e --arg line "$stderr" '.status == 125 and
				    .pid == null and .error ==
				    ($line | ltrimstr("usher: "))' "$T/w/r.json"
				assert_success
				rm "$T/w/r.json"
			fi
			assert_equal "$(ls -A "$T/w")" ""
		done
	done
	# 4 fds are never enough: every option set failed at least there.
	[ "$failed" -ge 10 ] || fail "only $failed runs failed"
}

@test "a process limit reached: one clean line, 125, nothing started or left" {
	local opts
	[ "$(id -u)" = 0 ] || fail "needs root to run usher as a uid of its own"
	# Root ignores RLIMIT_NPROC: usher runs as a uid whose only process it
	# is, from a copy that uid can reach.
	mkdir -m 777 "$T/w"
	reachable "$T"
	cp "$USHER" "$T/w/usher"
	for opts in "" "-s" "-o out" "-p app.pid -P sup.pid -o out" \
	    "-t 5s -r --report r.json" "-d -o out" "--orphans kill" \
	    "--ready notify" "-d --ready notify -p app.pid"; do
		# shellcheck disable=SC2086
		# (LeakSanitizer could not start its thread at exit: see
		# report.bats)
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		    run --separate-stderr setpriv --reuid=4243 --regid=4243 \
		    --clear-groups prlimit --nproc=1:1 sh -c 'cd "$0" && exec "$@"' \
		    "$T/w" ./usher $opts -- touch "$T/w/ran"
		assert_equal "$status" 125
		assert_equal "$output" ""
		if [[ "$opts" == -d* ]]; then
			assert_equal "$stderr" "usher: -d: cannot detach: Resource temporarily unavailable"
		else
			assert_equal "$stderr" "usher: fork: Resource temporarily unavailable"
		fi
		assert_file_not_exists "$T/w/ran"
		if [[ "$opts" == *--report* ]]; then
			run jq -e '.status == 125 and .pid == null and
			    .error == "fork: Resource temporarily unavailable"' \
			    "$T/w/r.json"
			assert_success
			rm "$T/w/r.json"
		fi
		assert_equal "$(ls -A "$T/w")" usher
	done
	# nor a notify socket (in /tmp, for a user without a runtime dir)
	assert_equal "$(find /tmp -maxdepth 1 -name 'usher-notify.*' \
	    -user 4243)" ""
}

# big_args: set ARGS to strings that, with the environment, fill all but
# about 16 KiB of what execve(2) takes (ARG_MAX counts the strings and
# their pointers), and export BIG1 to BIG3 of 100,000 bytes each.
big_args() {
	local chunk left
	chunk=$(head -c 100000 /dev/zero | tr '\0' a)
	export BIG1=$chunk BIG2=$chunk BIG3=$chunk
	left=$(($(getconf ARG_MAX) - $(env | wc -c) - 8 * $(env | wc -l) - 16384))
	ARGS=()
	while [ "$left" -gt 100100 ]; do
		ARGS+=("${#ARGS[@]}$chunk")
		left=$((left - 100000 - 16))
	done
	ARGS+=("${chunk:0:$((left - 100))}")
}

@test "argv and environment near ARG_MAX reach the command whole, in every mode" {
	local want mode
	big_args
	# shellcheck disable=SC2016
	local sum='{ printf "%s\n" "$@"; env | grep ^BIG | sort; } | cksum'
	want=$(sh -c "$sum" sh "${ARGS[@]}")
	for mode in "" "-s" "-x" "-x -s"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$USHER" $mode -- sh -c "$sum" sh "${ARGS[@]}"
		assert_success
		assert_equal "$stderr" ""
		assert_equal "$output" "$want"
	done
	run --separate-stderr "$USHER" -d -o "$T/out" -P "$T/sup.pid" -- \
	    sh -c "$sum" sh "${ARGS[@]}"
	assert_success
	wait_for 10 test ! -s "$T/sup.pid"
	assert_equal "$(cat "$T/out")" "$want"
}
