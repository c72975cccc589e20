#!/usr/bin/env bats
# Pidfiles as root (SPEC §5, man page SECURITY): a pidfile is opened
# without following a symbolic link and refused unless it is a regular
# file with one link; -x hands the command its lock on a read-only fd; a
# pid read from a file is parsed strictly; usher removes only the file it
# locked; and a failed detach leaves no pidfile behind.

load test_helper

setup() {
	[ "$(id -u)" = 0 ] || fail "these tests need root"
	reachable "$T"
	mkdir -m 0777 "$T/ww"
	printf 'precious\n' >"$T/important"
}

# as_nobody CMD...: run CMD as nobody, with no groups.
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
}

# important_intact: $T/important still holds what it held, and is a file
# of one link.
important_intact() {
	assert_equal "$(cat "$T/important")" precious
	assert_equal "$(stat -c %h "$T/important")" 1
}

@test "-p: a symbolic link planted by another user is refused; its target is untouched" {
	as_nobody ln -s "$T/important" "$T/ww/app.pid"
	refused "usher: $T/ww/app.pid: is a symbolic link" -p "$T/ww/app.pid"
	important_intact
	[ -L "$T/ww/app.pid" ] || fail "the link was removed"
}

@test "-P, -d and -x refuse a planted symbolic link as well" {
	as_nobody ln -s "$T/important" "$T/ww/app.pid"
	refused "usher: $T/ww/app.pid: is a symbolic link" -P "$T/ww/app.pid"
	refused "usher: $T/ww/app.pid: is a symbolic link" -d -p "$T/ww/app.pid"
	refused "usher: $T/ww/app.pid: is a symbolic link" -x -p "$T/ww/app.pid"
	important_intact
	[ -L "$T/ww/app.pid" ] || fail "the link was removed"
}

@test "a dangling symbolic link is refused, and creates nothing where it points" {
	as_nobody ln -s "$T/created" "$T/ww/app.pid"
	refused "usher: $T/ww/app.pid: is a symbolic link" -p "$T/ww/app.pid"
	assert_file_not_exists "$T/created"
}

@test "-p: a hard link to another file is refused; the file is untouched" {
	ln "$T/important" "$T/ww/app.pid"
	refused "usher: $T/ww/app.pid: has more than one link" \
	    -p "$T/ww/app.pid"
	assert_equal "$(cat "$T/important")" precious
	assert_equal "$(stat -c %h "$T/important")" 2
}

@test "-p: a FIFO is refused at once, neither opened for long nor removed" {
	mkfifo "$T/ww/app.pid"
	run timeout 5 "$USHER" -p "$T/ww/app.pid" -- touch "$T/ran"
	assert_equal "$status" 125
	assert_equal "$output" "usher: $T/ww/app.pid: not a regular file"
	assert_file_not_exists "$T/ran"
	[ -p "$T/ww/app.pid" ] || fail "the FIFO was removed"
}

@test "--status and --stop follow no link, and never wait on a FIFO" {
	hold '42\n'
	as_nobody ln -s "$T/app.pid" "$T/ww/link.pid"
	run_usher --status -p "$T/ww/link.pid"
	assert_equal "$status" 1
	assert_equal "$output" ""
	run_usher --stop -p "$T/ww/link.pid"
	assert_equal "$status" 0
	run pid_gone "$holder"
	assert_failure
	assert_equal "$(count_sig "$T/sig" TERM)" 0
	mkfifo "$T/ww/fifo.pid"
	run timeout 5 "$USHER" --status -p "$T/ww/fifo.pid"
	assert_equal "$status" 1
	run timeout 5 "$USHER" --stop -p "$T/ww/fifo.pid"
	assert_equal "$status" 0
}

@test "a pidfile replaced by a link while the instance runs is left alone at its end" {
	start_bg "$USHER" -p "$T/ww/app.pid" -P "$T/ww/sup.pid" -- "$PROBE" \
	    -r "$T/rep" -W "$T/go" -T 10
	local u=$!
	wait_file "$T/rep"
	track_pid "$(field "$T/rep" pid)"
	wait_for 5 test -s "$T/ww/app.pid"
	# another user swaps the files (the directory lets anyone)
	as_nobody sh -c 'rm -f "$1/app.pid" "$1/sup.pid" &&
	    ln -s "$2" "$1/app.pid" && echo mine >"$1/sup.pid"' sh \
	    "$T/ww" "$T/important"
	touch "$T/go"
	reap "$u"
	assert_equal "$status" 0
	important_intact
	[ -L "$T/ww/app.pid" ] || fail "usher removed a link it did not make"
	assert_equal "$(cat "$T/ww/sup.pid")" mine
}

@test "-x -u nobody -p: the command's lock fd can neither write nor empty root's pidfile" {
	reachable "$T"
	mkdir "$T/run"
	chown nobody:nogroup "$T/run"
	run_usher -x -u nobody -p "$T/app.pid" -- "$HELPERS/lockfd" \
	    "$T/app.pid" "$T/run/rep"
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	local pid
	pid=$(field "$T/run/rep" pid)
	# it held the lock, on one fd that is read-only ...
	assert_equal "$(field "$T/run/rep" locked)" EAGAIN
	run grep -c '^fd=' "$T/run/rep"
	assert_output 1
	run grep -E '^fd=[0-9]+ ' "$T/run/rep"
	assert_output --regexp ' write=EBADF truncate=EINVAL reopen=EACCES$'
	# ... so root's pidfile still holds its pid, as usher wrote it
	printf '%s\n' "$pid" | cmp - "$T/app.pid"
	assert_equal "$(stat -c '%U %a' "$T/app.pid")" "root 644"
}

# hold CONTENT: $T/app.pid holding CONTENT (printf's format), locked by
# flock(1) running a probe, as if an instance ran; $holder and $held are
# their pids.
hold() {
	# shellcheck disable=SC2059 # CONTENT is a format on purpose
	printf -- "$1" >"$T/app.pid"
	start_bg flock -n "$T/app.pid" "$PROBE" -R "$T/ready" -t TERM \
	    -s "$T/sig" -W "$T/never" -T 20
	holder=$!
	disown "$holder"	# its end is no job's news
	wait_file "$T/ready"
	held=$(cat "/proc/$holder/task/$holder/children")
	track_pid "$held"
	rm "$T/ready"
}

# status_of CONTENT: what --status says of a locked file holding CONTENT
# (printf's format).
status_of() {
	hold "$1"
	run_usher --status -p "$T/app.pid"
	kill -KILL "$held" "$holder"
	wait_gone "$holder"
}

@test "--status: a locked file with a pid that would wrap, or with junk after it, holds no pid" {
	local c
	for c in '4294967297\n' '4294967296\n' '12abc' '12abc\n' ' 12\n' \
	    '+12\n' '-12\n' '0\n' '012\n' '12\n\n' '12\r\n' '12 \n' \
	    '1\0002\n' '99999999999999999999999\n' '\n' 'x'; do
		status_of "$c"
		[ "$status" = 4 ] || fail "content '$c': status $status"
		assert_equal "$output" ""
		assert_equal "$stderr" "usher: $T/app.pid: no valid pid in the file"
	done
}

@test "--status: a huge locked file holds no pid" {
	hold '12\n'
	head -c 100000 /dev/zero | tr '\0' 7 >>"$T/app.pid"
	run_usher --status -p "$T/app.pid"
	assert_equal "$status" 4
	assert_equal "$stderr" "usher: $T/app.pid: no valid pid in the file"
}

@test "--status: digits with or without a newline, below pid_max, are a pid" {
	local max
	max=$(cat /proc/sys/kernel/pid_max)
	status_of '12\n'
	assert_equal "$status" 0
	assert_output 12
	status_of '12'
	assert_equal "$status" 0
	assert_output 12
	status_of "$((max - 1))\n"
	assert_equal "$status" 0
	assert_output "$((max - 1))"
	status_of "$max\n"
	assert_equal "$status" 4
	assert_equal "$stderr" "usher: $T/app.pid: no valid pid in the file"
}

@test "--status: an empty locked file is an instance whose command is not running: 3" {
	status_of ''
	assert_equal "$status" 3
	assert_equal "$output" ""
	assert_equal "$stderr" ""
}

@test "--stop: a pid that wraps to another process signals only the lock's holders" {
	start_bg "$PROBE" -r "$T/victim" -t TERM -s "$T/vsig" -W "$T/never" -T 20
	local victim=$!
	wait_file "$T/victim"
	hold "$((victim + 4294967296))\n"
	run_usher --stop -p "$T/app.pid" -k 1s
	assert_equal "$status" 0
	assert_equal "$stderr" "usher: $T/app.pid: no valid pid in the file: only the lock's holders are signalled"
	run pid_gone "$victim"
	assert_failure
	assert_equal "$(count_sig "$T/vsig" TERM)" 0
	pid_gone "$holder"
	pid_gone "$held"
	assert_equal "$(count_sig "$T/sig" TERM)" 1
}

@test "a second instance over a file that holds no valid pid: 'already running', no pid" {
	hold '4294967297\n'
	refused "usher: $T/app.pid: already running" -p "$T/app.pid"
	printf '4294967297\n' | cmp - "$T/app.pid"
}

# fresh_uid: a uid that no process has now, for a limit on processes that
# no other process counts against ($uid).
fresh_uid() {
	uid=$((61000 + RANDOM % 3000))
	while [ -n "$(ps -o pid= -u "$uid")" ]; do
		uid=$((uid + 1))
	done
}

# detach_limited N ARG...: usher -d ARG... -- true as $uid, in $T/u, with
# at most N processes for that uid.
detach_limited() {
	local n=$1
	shift
	# LeakSanitizer would need a thread it cannot have (make sanitize).
	run --separate-stderr env \
	    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	    setpriv --reuid="$uid" --regid="$uid" --clear-groups -- bash -c 'cd "$1" && ulimit -u "$2" && shift 2 &&
	    exec "$@"' bash "$T/u" "$n" "$USHER" -d "$@" -- true
}

@test "a detach that fails at its second fork leaves no pidfile: 125, one line" {
	fresh_uid
	mkdir "$T/u"
	chown "$uid:$uid" "$T/u"
	detach_limited 2 -p p.pid -P s.pid
	assert_equal "$status" 125
	assert_equal "$stderr" "usher: -d: cannot detach: Resource temporarily unavailable"
	assert_equal "$(ls -A "$T/u")" ""
	run_usher --status -p "$T/u/p.pid"
	assert_equal "$status" 3
	run_usher --status -p "$T/u/s.pid"
	assert_equal "$status" 3
}

@test "a detach that fails at either fork leaves nothing, with -x and -o too" {
	fresh_uid
	mkdir "$T/u"
	chown "$uid:$uid" "$T/u"
	detach_limited 1 -p p.pid -P s.pid -o out
	assert_equal "$status" 125
	assert_equal "$stderr" "usher: -d: cannot detach: Resource temporarily unavailable"
	assert_equal "$(ls -A "$T/u")" ""
	detach_limited 2 -x -p p.pid -o out
	assert_equal "$status" 125
	assert_equal "$stderr" "usher: -d: cannot detach: Resource temporarily unavailable"
	assert_equal "$(ls -A "$T/u")" ""
}
