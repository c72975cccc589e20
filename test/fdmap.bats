#!/usr/bin/env bats
# File descriptor maps (SPEC §4): -f SPEC in every form, applied all at once
# in every mode, -o FILE, --close-fds, no fd of usher's own in the command,
# and every malformed or unusable map refused with one line and 125.

load test_helper

setup() {
	R=$(cd "$T" && pwd -P)	# $T as /proc/self/fd shows it
	umask 022
}

# in_mode MODE ARG...: usher in MODE (fg, -s or -x) with ARG..., its
# stdout into $T/out and its stderr into $T/err; sets $status.
in_mode() {
	local mode=$1
	shift
	[ "$mode" = fg ] && mode=
	status=0
	"$USHER" ${mode:+"$mode"} "$@" >"$T/out" 2>"$T/err" || status=$?
}

# probe_in MODE ARG...: in_mode MODE ARG... -- probe, reporting into
# $T/rep; fails unless usher and the probe both succeed.
probe_in() {
	rm -f "$T/rep"
	in_mode "$@" -- "$PROBE" -r "$T/rep"
	assert_equal "$status" 0
	assert_file_exists "$T/rep"
}

# base: the probe without usher, reporting into $T/base; call it with the
# same redirections as the usher run it is compared with.
base() {
	rm -f "$T/base"
	"$PROBE" -r "$T/base" >"$T/out" 2>"$T/err"
}

# unopenable PATH ARG...: usher ARG... -- touch $T/ran must fail with 125
# and one line naming PATH and the reason, and not run the command.
unopenable() {
	local path=$1
	shift
	run_usher "$@" -- touch "$T/ran"
	assert_equal "$status" 125
	assert_equal "${#stderr_lines[@]}" 1
	assert_equal "$output" ""
	assert_regex "$stderr" "^usher: .*$path.*: No such file or directory\$"
	assert_file_not_exists "$T/ran"
}

@test "2=1, 2>&1 and 2<&1 send stderr where stdout goes" {
	local spec mode
	for mode in fg -s -x; do
		for spec in 2=1 '2>&1' '2<&1'; do
			in_mode "$mode" -f "$spec" -- sh -c 'echo out; echo err >&2'
			assert_equal "$status" 0
			assert_equal "$(cat "$T/out")" "$(printf 'out\nerr')"
			assert_equal "$(cat "$T/err")" ""
			probe_in "$mode" -f "$spec"
			assert_equal "$(field "$T/rep" fd.1)" "$R/out"
			assert_equal "$(field "$T/rep" fd.2)" "$R/out"
			assert_equal "$(field "$T/rep" cloexec.2)" 0
		done
	done
}

@test "1=2 with 2=1 swaps stdout and stderr" {
	local mode
	for mode in fg -s -x; do
		in_mode "$mode" -f 1=2 -f 2=1 -- sh -c 'echo o; echo e >&2'
		assert_equal "$status" 0
		assert_equal "$(cat "$T/out")" e
		assert_equal "$(cat "$T/err")" o
		probe_in "$mode" -f 1=2 -f 2=1
		assert_equal "$(field "$T/rep" fd.1)" "$R/err"
		assert_equal "$(field "$T/rep" fd.2)" "$R/out"
	done
}

@test "a high target 7=1 is a copy of stdout without close-on-exec" {
	local mode
	for mode in fg -s -x; do
		in_mode "$mode" -f 7=1 -- sh -c 'echo seven >&7'
		assert_equal "$status" 0
		assert_equal "$(cat "$T/out")" seven
		probe_in "$mode" -f 7=1
		assert_equal "$(field "$T/rep" fd.7)" "$R/out"
		assert_equal "$(field "$T/rep" fd.1)" "$R/out"
		assert_equal "$(field "$T/rep" cloexec.7)" 0
		assert_equal "$(field "$T/rep" flags.7)" wronly
	done
}

@test "3=1 with 1=3 exchanges stdout and an inherited fd 3" {
	local mode
	for mode in fg -s -x; do
		: >"$T/three"
		in_mode "$mode" -f 3=1 -f 1=3 -- \
		    sh -c 'echo to1; echo to3 >&3' 3>"$T/three"
		assert_equal "$status" 0
		assert_equal "$(cat "$T/three")" to1
		assert_equal "$(cat "$T/out")" to3
		probe_in "$mode" -f 3=1 -f 1=3 3>"$T/three"
		assert_equal "$(field "$T/rep" fd.1)" "$R/three"
		assert_equal "$(field "$T/rep" fd.3)" "$R/out"
		assert_equal "$(field "$T/rep" cloexec.1)" 0
		assert_equal "$(field "$T/rep" cloexec.3)" 0
	done
}

@test "a 3-cycle 3=4 4=5 5=3 rotates all three" {
	local mode
	for mode in fg -s -x; do
		: >"$T/f3"
		: >"$T/f4"
		: >"$T/f5"
		in_mode "$mode" -f 3=4 -f 4=5 -f 5=3 -- \
		    sh -c 'echo x3 >&3; echo x4 >&4; echo x5 >&5' \
		    3>"$T/f3" 4>"$T/f4" 5>"$T/f5"
		assert_equal "$status" 0
		assert_equal "$(cat "$T/f4")" x3
		assert_equal "$(cat "$T/f5")" x4
		assert_equal "$(cat "$T/f3")" x5
		probe_in "$mode" -f 3=4 -f 4=5 -f 5=3 \
		    3>"$T/f3" 4>"$T/f4" 5>"$T/f5"
		assert_equal "$(field "$T/rep" fd.3)" "$R/f4"
		assert_equal "$(field "$T/rep" fd.4)" "$R/f5"
		assert_equal "$(field "$T/rep" fd.5)" "$R/f3"
		assert_equal "$(field "$T/rep" cloexec.3)" 0
		assert_equal "$(field "$T/rep" cloexec.4)" 0
		assert_equal "$(field "$T/rep" cloexec.5)" 0
	done
}

@test "a file that usher opens on its own target fd loses close-on-exec" {
	# With 3 and 4 closed, usher's open(2) of the files returns 3 and 4:
	# the very targets, where dup2 does not run.
	local mode
	for mode in fg -s -x; do
		probe_in "$mode" -f "3>$T/f3" -f "4<>$T/f4" 3>&- 4>&-
		assert_equal "$(field "$T/rep" fd.3)" "$R/f3"
		assert_equal "$(field "$T/rep" fd.4)" "$R/f4"
		assert_equal "$(field "$T/rep" cloexec.3)" 0
		assert_equal "$(field "$T/rep" cloexec.4)" 0
		in_mode "$mode" -f "3>$T/f3" -- sh -c 'echo x >&3' 3>&- 4>&-
		assert_equal "$status" 0
		assert_equal "$(cat "$T/f3")" x
	done
}

@test "0<file gives the command the file to read" {
	local mode
	printf 'hello there\n' >"$T/in"
	for mode in fg -s -x; do
		in_mode "$mode" -f "0<$T/in" -- sh -c 'read -r x; echo "got $x"'
		assert_equal "$status" 0
		assert_equal "$(cat "$T/out")" "got hello there"
		probe_in "$mode" -f "0<$T/in"
		assert_equal "$(field "$T/rep" fd.0)" "$R/in"
		assert_equal "$(field "$T/rep" flags.0)" rdonly
		assert_equal "$(field "$T/rep" cloexec.0)" 0
	done
}

@test "1>file truncates the file" {
	local mode
	for mode in fg -s -x; do
		printf 'old content that is long\n' >"$T/f"
		in_mode "$mode" -f "1>$T/f" -- echo new
		assert_equal "$status" 0
		assert_equal "$(cat "$T/f")" new
		assert_equal "$(cat "$T/out")" ""
		probe_in "$mode" -f "1>$T/f"
		assert_equal "$(field "$T/rep" fd.1)" "$R/f"
		assert_equal "$(field "$T/rep" flags.1)" wronly
		assert_equal "$(field "$T/rep" cloexec.1)" 0
	done
}

@test "1>>file appends to the file" {
	local mode
	for mode in fg -s -x; do
		printf 'old\n' >"$T/f"
		in_mode "$mode" -f "1>>$T/f" -- echo new
		assert_equal "$status" 0
		assert_equal "$(cat "$T/f")" "$(printf 'old\nnew')"
		probe_in "$mode" -f "1>>$T/f"
		assert_equal "$(field "$T/rep" fd.1)" "$R/f"
		assert_equal "$(field "$T/rep" flags.1)" wronly,append
	done
}

@test "1<>file opens read-write at the start, without truncating" {
	local mode
	for mode in fg -s -x; do
		printf 'abcdef\n' >"$T/f"
		in_mode "$mode" -f "1<>$T/f" -- printf XY
		assert_equal "$status" 0
		assert_equal "$(cat "$T/f")" XYcdef
		probe_in "$mode" -f "1<>$T/f"
		assert_equal "$(field "$T/rep" fd.1)" "$R/f"
		assert_equal "$(field "$T/rep" flags.1)" rdwr
	done
}

@test "new files get mode 0666 less the command's umask" {
	umask 027
	run_usher -f "1>$T/a" -f "3>>$T/b" -f "4<>$T/c" -- true
	assert_equal "$status" 0
	assert_equal "$(stat -c %a "$T/a" "$T/b" "$T/c")" "$(printf '640\n640\n640')"
	run_usher -m 077 -f "1>$T/d" -f "3>>$T/e" -f "4<>$T/f" -- true
	assert_equal "$status" 0
	assert_equal "$(stat -c %a "$T/d" "$T/e" "$T/f")" "$(printf '600\n600\n600')"
	run_usher -x -m 0 -f "1>$T/g" -- true
	assert_equal "$status" 0
	assert_equal "$(stat -c %a "$T/g")" 666
	# -m is the command's umask, for its own files too.
	run_usher -m 077 -- sh -c umask
	assert_output 0077
}

@test "2=-, 2>&- and 2<&- close stderr" {
	local spec mode
	base
	for mode in fg -s -x; do
		for spec in 2=- '2>&-' '2<&-'; do
			probe_in "$mode" -f "$spec"
			assert_equal "$(field "$T/rep" fds)" \
			    "$(field "$T/base" fds | tr , '\n' | grep -vx 2 |
			    paste -sd,)"
			run field "$T/rep" fd.2
			assert_failure
			assert_equal "$(field "$T/rep" fd.1)" "$R/out"
		done
	done
}

@test "an inherited fd passes through untouched without --close-fds" {
	local mode
	for mode in fg -s -x; do
		probe_in "$mode" 5>"$T/five"
		assert_equal "$(field "$T/rep" fd.5)" "$R/five"
		assert_equal "$(field "$T/rep" flags.5)" wronly
		assert_equal "$(field "$T/rep" cloexec.5)" 0
		in_mode "$mode" -- sh -c 'echo via5 >&5' 5>"$T/five"
		assert_equal "$status" 0
		assert_equal "$(cat "$T/five")" via5
	done
}

@test "--close-fds leaves only 0, 1, 2 and the -f targets" {
	local mode
	for mode in fg -s -x; do
		probe_in "$mode" --close-fds -f 7=5 -f "8>$T/eight" \
		    5>"$T/five" 9>"$T/nine"
		assert_equal "$(field "$T/rep" fds)" 0,1,2,7,8
		assert_equal "$(field "$T/rep" fd.1)" "$R/out"
		assert_equal "$(field "$T/rep" fd.2)" "$R/err"
		assert_equal "$(field "$T/rep" fd.7)" "$R/five"
		assert_equal "$(field "$T/rep" fd.8)" "$R/eight"
		probe_in "$mode" --close-fds -f 2=- 5>"$T/five"
		assert_equal "$(field "$T/rep" fds)" 0,1
	done
}

@test "-o appends stdout and stderr to one open file" {
	local mode
	for mode in fg -s -x; do
		printf 'before\n' >"$T/log"
		in_mode "$mode" -o "$T/log" -- sh -c 'echo a; echo b >&2; echo c'
		assert_equal "$status" 0
		assert_equal "$(cat "$T/log")" "$(printf 'before\na\nb\nc')"
		assert_equal "$(cat "$T/out")" ""
		assert_equal "$(cat "$T/err")" ""
		probe_in "$mode" -o "$T/log"
		assert_equal "$(field "$T/rep" fd.1)" "$R/log"
		assert_equal "$(field "$T/rep" fd.2)" "$R/log"
		assert_equal "$(field "$T/rep" flags.1)" wronly,append
		assert_equal "$(field "$T/rep" flags.2)" wronly,append
		assert_equal "$(field "$T/rep" cloexec.1)" 0
		assert_equal "$(field "$T/rep" cloexec.2)" 0
	done
}

@test "-o shares one file offset between stdout and stderr" {
	# Two opens of the file would each keep an offset: fd 2's would still
	# be 0 after a write through fd 1.  One open file has one offset.
	local mode
	for mode in fg -s -x; do
		printf 'old\n' >"$T/log"
		in_mode "$mode" -o "$T/log" -- sh -c \
		    'echo a; grep ^pos: /proc/self/fdinfo/2 >&3' 3>"$T/pos"
		assert_equal "$status" 0
		assert_equal "$(tr -d ' \t' <"$T/pos")" pos:6
	done
}

@test "-o with a relative path opens it in the caller's cwd" {
	cd "$T"
	mkdir sub
	run_usher -C sub -o rel.log -- sh -c 'echo hi; echo ho >&2'
	assert_equal "$status" 0
	assert_equal "$(cat "$T/rel.log")" "$(printf 'hi\nho')"
	assert_file_not_exists "$T/sub/rel.log"
}

@test "no fd of usher's own reaches the command" {
	local mode
	base 5>"$T/five"
	for mode in fg -s -x; do
		probe_in "$mode" 5>"$T/five"
		assert_equal "$(field "$T/rep" fds)" "$(field "$T/base" fds)"
		# The files usher opened show up only at their targets.
		probe_in "$mode" -f "1>$T/f" -f "7<>$T/g" -f "0<$T/f" \
		    5>"$T/five"
		assert_equal "$(field "$T/rep" fds)" \
		    "$(field "$T/base" fds | tr , '\n' | { cat; echo 7; } |
		    sort -n | paste -sd,)"
		probe_in "$mode" -o "$T/log" 5>"$T/five"
		assert_equal "$(field "$T/rep" fds)" "$(field "$T/base" fds)"
	done
}

@test "usher's terminal fd does not reach the command" {
	# In the foreground on a terminal usher opens /dev/tty for job control.
	printf 'eof\n' >"$T/script"
	run "$PTYRUN" -T 10 -s "$T/script" -- "$PROBE" -r "$T/base"
	assert_equal "$status" 0
	run "$PTYRUN" -T 10 -s "$T/script" -- "$USHER" -f "7>$T/f" -- \
	    "$PROBE" -r "$T/rep"
	assert_equal "$status" 0
	[ "$(field "$T/rep" ctty)" != none ]
	assert_equal "$(field "$T/rep" fds)" \
	    "$(field "$T/base" fds | tr , '\n' | { cat; echo 7; } |
	    sort -n | paste -sd,)"
}

@test "targets on the fds usher itself uses are moved aside, not lost" {
	# Whatever numbers usher's error pipe, signalfd and timers take, some
	# of 3..20 is among them: the command still gets every target, and an
	# exec failure is still reported.
	local mode n maps=() want=0,1,2
	for n in $(seq 3 20); do
		maps+=(-f "$n=1")
		want=$want,$n
	done
	for mode in fg -s -x; do
		probe_in "$mode" --close-fds "${maps[@]}"
		assert_equal "$(field "$T/rep" fds)" "$want"
		for n in $(seq 3 20); do
			assert_equal "$(field "$T/rep" fd."$n")" "$R/out"
			assert_equal "$(field "$T/rep" cloexec."$n")" 0
		done
		in_mode "$mode" "${maps[@]}" -- "$T/no-such-command"
		assert_equal "$status" 127
		assert_equal "$(cat "$T/err")" \
		    "usher: $T/no-such-command: No such file or directory"
	done
}

@test "an exec failure is reported on usher's stderr even with 2 closed" {
	local mode
	for mode in fg -s -x; do
		in_mode "$mode" -f 2=- -- no-such-command-here
		assert_equal "$status" 127
		assert_equal "$(cat "$T/err")" \
		    "usher: no-such-command-here: command not found"
		in_mode "$mode" -f 2=1 -f 1=- -- no-such-command-here
		assert_equal "$status" 127
		assert_equal "$(cat "$T/err")" \
		    "usher: no-such-command-here: command not found"
		assert_equal "$(cat "$T/out")" ""
	done
}

@test "with -x the command is usher's own process" {
	start_bg "$USHER" -x -f 7=1 -f 2=1 -- "$PROBE" -r "$T/rep" \
	    >"$T/out"
	upid=$!
	reap "$upid"
	assert_equal "$status" 0
	assert_equal "$(field "$T/rep" pid)" "$upid"
	assert_equal "$(field "$T/rep" fd.7)" "$R/out"
	assert_equal "$(field "$T/rep" fd.2)" "$R/out"
}

@test "with -s the maps apply in the new session" {
	in_mode -s -f 2=1 -- "$PROBE" -r "$T/rep"
	assert_equal "$status" 0
	assert_equal "$(field "$T/rep" sid)" "$(field "$T/rep" pid)"
	assert_equal "$(field "$T/rep" fd.2)" "$R/out"
	start_bg "$USHER" -x -s -f 1=2 -- "$PROBE" -r "$T/rep" 2>"$T/err"
	upid=$!
	reap "$upid"
	assert_equal "$status" 0
	assert_equal "$(field "$T/rep" pid)" "$upid"
	assert_equal "$(field "$T/rep" sid)" "$upid"
	assert_equal "$(field "$T/rep" fd.1)" "$R/err"
}

@test "the highest fd the limit allows is a valid target" {
	local top
	top=$(($(ulimit -n) - 1))
	probe_in fg -f "$top=1"
	assert_equal "$(field "$T/rep" fd."$top")" "$R/out"
	assert_equal "$(field "$T/rep" cloexec."$top")" 0
	refused "usher: -f: invalid fd map '$((top + 1))=1'" -f "$((top + 1))=1"
	refused "usher: -f: invalid fd map '1=$((top + 1))'" -f "1=$((top + 1))"
}

@test "a malformed fd map is refused" {
	local s
	for s in =1 1= = -1=2 1=-2 +1=2 1=+2 ' 1=2' '1 =2' '1= 2' \
	    99999999=1 1=99999999 4294967297=1 '1~2' 1 '1>&x' '1<&x' '1&2' \
	    '1=2x' '1=-x' '1>' '1<' '1>>' '1<>' '1>&' '1<&' '1>>&2' 'x=1'; do
		refused "usher: -f: invalid fd map '$s'" -f "$s"
	done
}

@test "an fd mapped twice is refused" {
	refused "usher: -f: fd 1 mapped twice" -f 1=2 -f "1>$T/x"
	assert_file_not_exists "$T/x"
	refused "usher: -f: fd 3 mapped twice" -f 3=- -f 3=1
	refused "usher: -f: fd 2 mapped twice" -o "$T/log" -f 2=1
	assert_file_not_exists "$T/log"
	refused "usher: -f: fd 1 mapped twice" -o "$T/log" -o "$T/log2"
	assert_file_not_exists "$T/log"
}

@test "a source fd that is not open is refused" {
	refused "usher: -f: 1=9: Bad file descriptor" -f 1=9 9<&-
	refused "usher: -f: 4>&9: Bad file descriptor" -x -f '4>&9' 9<&-
	# Checked before any file is opened: nothing is created or truncated.
	printf 'keep\n' >"$T/x"
	refused "usher: -f: 2=9: Bad file descriptor" -f "1>$T/x" -f 2=9 9<&-
	assert_equal "$(cat "$T/x")" keep
}

@test "a file that cannot be opened is refused" {
	local spec
	for spec in '1>/nonexistent/x' '1</nonexistent/x' '3>>/nonexistent/x' \
	    '3<>/nonexistent/x'; do
		unopenable /nonexistent/x -f "$spec"
		unopenable /nonexistent/x -x -f "$spec"
	done
	unopenable /nonexistent/x -o /nonexistent/x
	unopenable /nonexistent/x -s -o /nonexistent/x
	unopenable "$T/missing" -f "0<$T/missing"
	refused "usher: -o: invalid file ''" -o ''
}

@test "with fd 2 closed by the caller, usher's messages never land in the command's files" {
	run -127 sh -c 'exec 2>&-; exec "$0" -f "3>$1/log" -- no-such-cmd' \
	    "$USHER" "$T"
	assert_equal "$(cat "$T/log")" ""
	# and the command still finds fd 2 closed, as the caller left it
	run sh -c 'exec 2>&-; exec "$0" -- "$1" -r "$2/rep"' "$USHER" "$PROBE" "$T"
	assert_equal "$status" 0
	run field "$T/rep" fd.2
	assert_failure
}
