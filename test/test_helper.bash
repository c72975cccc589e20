# test_helper.bash: loaded by every test/*.bats file.
#
# $USHER is the binary under test, $HELPERS the folder of the C helpers
# (probe, ptyrun).  Every process a test starts in the background goes
# through start_bg or track_pid, and teardown kills exactly those PIDs.
# Every wait has a deadline: nothing here can hang the suite.
#
# Fd 3 is bats' own output: bats waits until every process that holds it
# has ended.  run_usher and start_bg close it for what they start, so that
# a daemon, or a command that outlives its usher, cannot hold the test run.

bats_require_minimum_version 1.5.0

# bats-support, bats-assert and bats-file, sourced file by file: their
# load.bash files run dirname once a file, and those forks cost each test
# about 0.2 s, a minute of the suite.
for lib in /usr/lib/bats/bats-support/src/*.bash \
    /usr/lib/bats/bats-assert/src/*.bash /usr/lib/bats/bats-file/src/*.bash; do
	# shellcheck disable=SC1090 # the Debian packages' files
	source "$lib"
done
unset lib

: "${USHER:?USHER must name the usher binary}"
: "${HELPERS:?HELPERS must name the folder of the test helpers}"
PROBE=$HELPERS/probe
PTYRUN=$HELPERS/ptyrun
T=$BATS_TEST_TMPDIR

# no_fd3 CMD...: CMD without bats' fd 3.
no_fd3() {
	"$@" 3>&-
}

# run_usher [-N] ARG...: run usher with stdout and stderr kept apart
# ($output and $stderr), without fd 3; -N says status N is expected (bats
# checks it).
run_usher() {
	local want=()
	if [[ "${1:-}" =~ ^-[0-9]+$ ]]; then
		want=("$1")
		shift
	fi
	run "${want[@]}" --separate-stderr no_fd3 "$USHER" "$@"
}

# pty SCRIPT-TEXT CMD...: play the script (test/helpers/ptyrun.c) against
# CMD on a new terminal; $status is ptyrun's (the command's), $output the
# terminal's, $stderr ptyrun's own.
# shellcheck disable=SC2154 # $output and $stderr come from bats' run
pty() {
	printf '%s\n' "$1" >"$T/script"
	shift
	run --separate-stderr env -u TMOUT PS1='PROMPT> ' TERM=dumb \
	    "$PTYRUN" -T 15 -l "$T/log" -s "$T/script" -- "$@"
	# shown when the test fails
	printf 'terminal output:\n%s\n%s\n' "$output" "$stderr"
}

# ishell SCRIPT-TEXT: the script against an interactive bash.
ishell() {
	pty "$1" bash --norc --noprofile -i
}

# track_pid PID...: kill these at teardown if they still live.
track_pid() {
	local p
	for p in "$@"; do
		echo "$p" >>"$T/.pids"
	done
}

# start_bg CMD...: start CMD in the background without fd 3, tracked; $!
# is its PID.
start_bg() {
	"$@" 3>&- &
	track_pid "$!"
}

# split_args [USHER-ARG...] [-- PROBE-ARG...]: the arguments before -- into
# the array uargs, those after it into pargs (both the caller's locals).
split_args() {
	uargs=()
	while [ "$#" -gt 0 ] && [ "$1" != -- ]; do
		uargs+=("$1")
		shift
	done
	[ "$#" -eq 0 ] || shift
	pargs=("$@")
}

# start_probe [USHER-ARG...] -- [PROBE-ARG...]: usher USHER-ARG... -- probe
# -r $T/rep -s $T/sig -R $T/ready PROBE-ARG... in the background, and wait
# until the probe is ready.  INT and QUIT are at their defaults again, as
# a shell's foreground job would have them (bash starts & jobs with them
# ignored, and usher keeps what was ignored).  Sets $upid (usher) and
# $ppid (the probe), both tracked.
# shellcheck disable=SC2016,SC2034 # perl's $SIG; upid is the tests'
start_probe() {
	local uargs pargs
	split_args "$@"
	start_bg perl -e '$SIG{INT} = $SIG{QUIT} = "DEFAULT"; exec @ARGV or exit 127' \
	    -- "$USHER" "${uargs[@]}" -- "$PROBE" -r "$T/rep" -s "$T/sig" \
	    -R "$T/ready" "${pargs[@]}"
	upid=$!
	wait_file "$T/ready"
	ppid=$(field "$T/rep" pid)
	track_pid "$ppid"
}

# daemon [USHER-ARG...] [-- PROBE-ARG...]: usher -d -p $T/app.pid -P
# $T/sup.pid USHER-ARG... -- probe PROBE-ARG... -r $T/rep -T 10 through
# run_usher (so $status and $stderr are the caller's), PROBE-ARG... being
# -W $T/go when none are given.  The start must succeed with nothing on
# stderr, and the probe's report be the command's; the pids of the
# pidfiles are set as $cpid and $spid, and tracked.
# shellcheck disable=SC2154 # $status and $stderr come from bats' run
daemon() {
	local uargs pargs
	split_args "$@"
	[ "${#pargs[@]}" -gt 0 ] || pargs=(-W "$T/go")
	run_usher -d -p "$T/app.pid" -P "$T/sup.pid" "${uargs[@]}" -- \
	    "$PROBE" "${pargs[@]}" -r "$T/rep" -T 10
	spid=$(cat "$T/sup.pid" 2>/dev/null) && track_pid "$spid"
	cpid=$(cat "$T/app.pid" 2>/dev/null) && track_pid "$cpid"
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	wait_file "$T/rep"
	assert_equal "$(field "$T/rep" pid)" "$cpid"
}

# term_reap PID: TERM to PID, a child of this shell, and reap it: sets
# $status, and $dt, the milliseconds from before the kill to its end.
# shellcheck disable=SC2034 # dt is the tests'
term_reap() {
	local t0
	t0=$(now_ms)
	kill -TERM "$1"
	reap "$1"
	dt=$(( $(now_ms) - t0 ))
}

# term_pid1 CMD...: CMD as PID 1 of a new PID namespace (unshare --fork
# in the background); once $T/ready exists, a TERM to it from outside, and
# $status is unshare's, which mirrors CMD's.
term_pid1() {
	start_bg unshare --pid --fork "$@"
	local ns=$! init
	wait_file "$T/ready"
	init=$(cat "/proc/$ns/task/$ns/children")
	kill -TERM "$init"
	reap "$ns"
}

# reap PID: wait for PID, a child of this shell, and set $status.  (bats'
# run would wait in a subshell, which cannot.)
reap() {
	status=0
	wait "$1" || status=$?
}

# kill_tracked: KILL every PID this test tracked (a file's own teardown
# calls it too).
kill_tracked() {
	local p
	[ -f "$T/.pids" ] || return 0
	while read -r p; do
		kill -KILL "$p" 2>/dev/null || true
	done <"$T/.pids"
}

teardown() {
	kill_tracked
}

# reachable DIR: let every user pass through DIR and each directory above
# it, up to the test run's own, for a command run as another user.
reachable() {
	local d=$1
	while [ "$d" != "$BATS_RUN_TMPDIR" ] && [ "$d" != / ]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
	chmod o+x "$BATS_RUN_TMPDIR"
}

# wait_for SECONDS CMD...: poll CMD every 10 ms until it succeeds; fail
# with a message when SECONDS pass first.
wait_for() {
	local deadline=$((SECONDS + $1 + 1))
	shift
	while ! "$@"; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "wait_for: timed out: $*" >&2
			return 1
		fi
		sleep 0.01	# the poll interval, not a guess at timing
	done
}

# wait_file FILE [SECONDS]: until FILE exists (default 10 s).
wait_file() {
	wait_for "${2:-10}" test -e "$1"
}

# wait_line FILE REGEX [SECONDS]: until a line of FILE matches REGEX.
wait_line() {
	wait_for "${3:-10}" grep -qE -- "$2" "$1"
}

# stat_field PID N: field N of /proc/PID/stat after the command name (1
# state, 2 ppid, 3 pgrp, 4 session); fails when PID is gone.  The name
# ends at the last ')' of the file: it may hold ')' and newlines itself.
stat_field() {
	local s='' f
	{ IFS= read -r -d '' s || true; } 2>/dev/null <"/proc/$1/stat"
	[ -n "$s" ] || return 1
	read -r -a f <<<"${s##*) }"
	[ -n "${f[$2 - 1]:-}" ] || return 1
	printf '%s\n' "${f[$2 - 1]}"
}

# state_is PID STATE: the process state letter in /proc (R S D T Z ...);
# S also takes R, a sleeper that happens to be woken.
state_is() {
	local s
	s=$(stat_field "$1" 1) || return 1
	[ "$s" = "$2" ] || { [ "$2" = S ] && [ "$s" = R ]; }
}

# wait_gone PID [SECONDS]: until PID no longer exists (zombies count as
# gone: their state in /proc is Z).
pid_gone() {
	local s
	s=$(stat_field "$1" 1) || return 0
	[ "$s" = Z ]
}
wait_gone() {
	wait_for "${2:-10}" pid_gone "$1"
}

# NO_ZOMBIE: sh code that defines no_zombie, for a command that runs in a
# PID namespace of its own (unshare --mount-proc): it waits until no
# process there is a zombie (1000 looks at most, 10 ms apart), and fails
# if one is left, naming it on stderr.  The state follows the last ') '
# of the first line of /proc/PID/stat (a newline in a name hides the
# rest: no test here names one so).
# shellcheck disable=SC2016,SC2034 # that sh's code, for the bats files
NO_ZOMBIE='no_zombie() {
	i=0
	while :; do
		z=
		for f in /proc/[0-9]*/stat; do
			read -r s 2>/dev/null <"$f" || continue
			s=${s##*) }
			[ "${s%% *}" = Z ] && z=$f
		done
		[ -z "$z" ] && return 0
		i=$((i + 1))
		[ "$i" -gt 1000 ] && { echo "zombie: $z" >&2; return 1; }
		sleep 0.01
	done
}'

# takes_signal PID SIG: PID blocks or catches SIG, so that a SIG sent now
# is taken by its code, not by the default action.
takes_signal() {
	local n blk cgt
	n=$(kill -l "$2") || return 1
	blk=$(sed -n 's/^SigBlk:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
	cgt=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
	[ -n "$blk" ] && [ -n "$cgt" ] || return 1
	(( ((0x$blk | 0x$cgt) >> (n - 1)) & 1 ))
}

# field FILE KEY: the value of KEY=VALUE in a probe report.
field() {
	local line
	line=$(grep -m1 -E "^$2=" "$1") || return 1
	printf '%s\n' "${line#*=}"
}

# content_is FILE TEXT: FILE holds TEXT (and at most a newline after it).
content_is() {
	[ "$(cat "$1" 2>/dev/null)" = "$2" ]
}

# count_sig FILE NAME: how many times the probe recorded signal NAME.
count_sig() {
	[ -f "$1" ] || { echo 0; return; }
	grep -c -E "^$2( |\$)" "$1" || true
}

# now_ms: the wall clock in milliseconds, to measure from outside.
now_ms() {
	echo $(( $(date +%s%N) / 1000000 ))
}

# pass_time SECONDS: let time pass, where that is the point of a test (a
# negative check).  The probe's -T deadline is the clock: it waits for a
# file that never comes.
pass_time() {
	"$PROBE" -W "$T/never" -T "$1" 2>/dev/null || true
}

# refused MESSAGE ARG...: usher ARG... -- touch $T/ran must fail with 125,
# print exactly MESSAGE, and not run the command.  ($status, $stderr and
# $output are set by bats' run, which shellcheck cannot see.)
# shellcheck disable=SC2154
refused() {
	local msg=$1
	shift
	run_usher "$@" -- touch "$T/ran"
	assert_equal "$status" 125
	assert_equal "$stderr" "$msg"
	assert_equal "$output" ""
	assert_file_not_exists "$T/ran"
}
