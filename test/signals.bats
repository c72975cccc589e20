#!/usr/bin/env bats
# Signals (SPEC §7): blocked from the start, forwarded exactly once to the
# right target, rewritten, real-time values kept, the caller's mask and
# ignored set handed to the command, and the parent-death signal.

load test_helper

@test "the command leads its own process group in usher's session" {
	start_probe -- -x 0
	wait "$upid"
	assert_equal "$(field "$T/rep" pgid)" "$ppid"
	assert_equal "$(field "$T/rep" ppid)" "$upid"
	assert_equal "$(field "$T/rep" sid)" "$(ps -o sid= -p $$ | tr -d ' ')"
}

@test "TERM sent to usher reaches the command exactly once" {
	start_probe -- -t TERM,USR1 -w USR1
	kill -TERM "$upid"
	wait_line "$T/sig" '^TERM '
	kill -USR1 "$upid"
	reap "$upid"
	assert_equal "$status" 0
	assert_equal "$(count_sig "$T/sig" TERM)" 1
	assert_equal "$(count_sig "$T/sig" USR1)" 1
}

@test "every catchable signal is forwarded, but not CHLD" {
	local s
	start_probe -- -t all -w USR2
	for s in HUP INT QUIT USR1 ALRM PIPE WINCH URG CONT TERM; do
		kill -"$s" "$upid"
		wait_line "$T/sig" "^$s "
	done
	kill -USR2 "$upid"
	reap "$upid"
	assert_equal "$status" 0
	assert_equal "$(count_sig "$T/sig" CHLD)" 0
	for s in HUP INT QUIT USR1 ALRM PIPE WINCH URG TERM USR2; do
		assert_equal "$s=$(count_sig "$T/sig" $s)" "$s=1"
	done
}

@test "a signal goes to the command's whole group by default" {
	start_bg "$USHER" -- sh -c '"$0" -t USR1 -s "$1/bg" -R "$1/bgready" -w USR1 &
	    exec "$0" -t USR1 -s "$1/sig" -r "$1/rep" -R "$1/ready" -w USR1' \
	    "$PROBE" "$T"
	upid=$!
	wait_file "$T/ready"
	wait_file "$T/bgready"
	kill -USR1 "$upid"
	reap "$upid"
	assert_equal "$status" 0
	wait_line "$T/bg" '^USR1 '
	assert_equal "$(count_sig "$T/sig" USR1)" 1
}

@test "--single-child sends to the command alone, -g to the group" {
	start_bg "$USHER" --single-child -- sh -c '"$0" -t USR1 -s "$1/bg" -r "$1/bgrep" -R "$1/bgready" -w USR1 -T 5 &
	    exec "$0" -t USR1 -s "$1/sig" -r "$1/rep" -R "$1/ready" -w USR1' \
	    "$PROBE" "$T"
	upid=$!
	wait_file "$T/ready"
	wait_file "$T/bgready"
	track_pid "$(field "$T/bgrep" pid)"
	kill -USR1 "$upid"
	reap "$upid"
	assert_equal "$status" 0
	assert_equal "$(count_sig "$T/sig" USR1)" 1
	assert_equal "$(count_sig "$T/bg" USR1)" 0
	kill -KILL "$(field "$T/bgrep" pid)"
}

@test "-R rewrites a signal, and TO of none drops it" {
	start_probe -R TERM:USR1 -R USR2:none -- -t TERM,USR1,USR2,HUP -w HUP
	kill -USR2 "$upid"
	kill -TERM "$upid"
	wait_line "$T/sig" '^USR1 '
	kill -HUP "$upid"
	reap "$upid"
	assert_equal "$status" 0
	assert_equal "$(count_sig "$T/sig" TERM)" 0
	assert_equal "$(count_sig "$T/sig" USR2)" 0
	assert_equal "$(count_sig "$T/sig" USR1)" 1
}

@test "a real-time signal is forwarded with its value, to the group too" {
	start_probe -- -t RTMIN+2,USR1 -w USR1
	"$HELPERS/sigq" "$upid" RTMIN+2 4242
	wait_line "$T/sig" '^RTMIN\+2 '
	kill -USR1 "$upid"
	wait "$upid"
	run grep -E '^RTMIN\+2 ' "$T/sig"
	assert_output --regexp 'code=-1 value=4242 '
}

@test "a real-time signal keeps its value with --single-child" {
	start_probe --single-child -- -t RTMIN+5,USR1 -w USR1
	"$HELPERS/sigq" "$upid" RTMIN+5 -7
	wait_line "$T/sig" '^RTMIN\+5 '
	kill -USR1 "$upid"
	wait "$upid"
	run grep -E '^RTMIN\+5 ' "$T/sig"
	assert_output --regexp 'value=-7 '
}

@test "the command starts with the caller's mask and dispositions" {
	# In the foreground: bash starts & jobs with INT and QUIT ignored.
	# The baseline is the probe run by the same caller without usher
	# (make, for one, starts its children with signals 32 and 33 ignored).
	"$PROBE" -r "$T/plain"
	run "$USHER" -- "$PROBE" -r "$T/rep" -x 0
	assert_equal "$status" 0
	assert_equal "$(field "$T/rep" sigblk)" "$(field "$T/plain" sigblk)"
	assert_equal "$(field "$T/rep" sigign)" "$(field "$T/plain" sigign)"
}

@test "what the caller blocked or ignored, the command gets blocked or ignored" {
	# USR2 (12) blocked: bit 11; HUP (1) and CHLD (17) ignored.
	caller() {
		perl -MPOSIX -e '
		    sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGUSR2));
		    $SIG{HUP} = "IGNORE"; $SIG{CHLD} = "IGNORE";
		    exec @ARGV or exit 127' -- "$@"
	}
	caller "$PROBE" -r "$T/plain"
	run caller "$USHER" -- "$PROBE" -r "$T/rep" -x 5
	assert_equal "$status" 5
	assert_equal "$(field "$T/rep" sigblk)" "$(field "$T/plain" sigblk)"
	assert_equal "$(field "$T/rep" sigign)" "$(field "$T/plain" sigign)"
	(( 0x$(field "$T/rep" sigblk) & 0x800 ))
	(( (0x$(field "$T/rep" sigign) & 0x10001) == 0x10001 ))
}

@test "a signal the caller ignored is not forwarded (nohup)" {
	start_bg perl -e '$SIG{USR2} = "IGNORE"; exec @ARGV' -- \
	    "$USHER" -- "$PROBE" -r "$T/rep" -s "$T/sig" -R "$T/ready" \
	    -t USR1,USR2 -w USR1
	upid=$!
	wait_file "$T/ready"
	track_pid "$(field "$T/rep" pid)"
	kill -USR2 "$upid"
	kill -USR1 "$upid"
	reap "$upid"
	assert_equal "$status" 0
	assert_equal "$(count_sig "$T/sig" USR2)" 0
	assert_equal "$(count_sig "$T/sig" USR1)" 1
}

@test "a TERM sent at once after start is never lost" {
	# perl forks and signals at once, or after up to 2 ms: the TERM lands
	# before exec, during usher's start, before or after its fork.  (A
	# bash & job is no good here: bash's own handler can eat a signal
	# that lands between its fork and exec.)
	local i
	for i in $(seq 1 40); do
		run perl -e '
		    my $d = shift; my $pid = fork // die;
		    if (!$pid) { exec @ARGV or exit 127 }
		    select(undef, undef, undef, $d) if $d > 0;
		    kill "TERM", $pid; waitpid $pid, 0;
		    print(($? & 127) ? "signal " . ($? & 127) : "exit " . ($? >> 8))' \
		    -- "$(( (i * 97) % 2000 ))e-6" "$USHER" -- "$PROBE" \
		    -r "$T/rep.$i" -W "$T/never" -T 5
		assert_output "signal 15"
		if [ -f "$T/rep.$i" ]; then
			wait_gone "$(field "$T/rep.$i" pid)" 5
		fi
	done
}

@test "usher ends when its command ends, not with children it inherited" {
	# An inherited child that outlives the command does not hold usher:
	# it still runs when usher has ended.  (Its output goes elsewhere, so
	# that run does not wait for it either: its "ready" comes through a
	# FIFO, which its -T 5 closes at the latest.)
	mkfifo "$T/inh.fifo"
	run --separate-stderr sh -c '"$1" -r "$2/inh" -R - -W "$2/never" \
	    -T 5 >"$2/inh.fifo" 2>/dev/null 3>&- &
	    read -r ready <"$2/inh.fifo"
	    exec "$0" -- sh -c "exit 3"' "$USHER" "$PROBE" "$T"
	assert_equal "$status" 3
	track_pid "$(field "$T/inh" pid)"
	run pid_gone "$(field "$T/inh" pid)"
	assert_failure
	# One that ends first is reaped, and not taken for the command.
	run --separate-stderr sh -c '(exit 9) & exec "$0" -- "$1" -r "$2/rep" -x 4' \
	    "$USHER" "$PROBE" "$T"
	assert_equal "$status" 4
	kill -KILL "$(field "$T/inh" pid)"
}

@test "the command dies with usher: default parent-death signal KILL" {
	start_probe -- -W "$T/never" -T 10
	assert_equal "$(field "$T/rep" pdeathsig)" 9
	kill -KILL "$upid"
	wait_gone "$ppid" 5
}

@test "--pdeathsig SIGNAL is delivered; none leaves the command alone" {
	start_probe --pdeathsig TERM -- -t TERM -w TERM -T 10
	assert_equal "$(field "$T/rep" pdeathsig)" 15
	kill -KILL "$upid"
	wait_gone "$ppid" 5
	assert_equal "$(count_sig "$T/sig" TERM)" 1
	rm -f "$T/ready" "$T/rep"
	start_probe --pdeathsig none -- -W "$T/never" -T 10
	assert_equal "$(field "$T/rep" pdeathsig)" 0
	kill -KILL "$upid"
	run pid_gone "$ppid"
	assert_failure
	kill -KILL "$ppid"
}

@test "no command outlives an usher killed right after its start" {
	local i d
	for i in $(seq 1 15); do
		d=$(( (i * 137) % 3000 ))
		run "$HELPERS/reaper" -k "$d" -T 10 "$USHER" -- "$PROBE" \
		    -r "$T/r$i" -W "$T/never" -T 5
		assert_equal "$status" 0
		# every process that ended: usher by KILL, the probe (if it
		# got that far) by KILL too, never by its own deadline (99).
		refute_output --partial "exit=99"
		assert_line "pid=$(echo "$output" | grep ' cmd$' | sed 's/ .*//;s/pid=//') signal=9 cmd"
	done
}

@test "as PID 1, usher reaps zombies, forwards TERM, gives 128+N" {
	run unshare --pid --fork --mount-proc "$USHER" -- sh -c "$NO_ZOMBIE"'
	    "$0" -Z 3 -x 0
	    no_zombie || exit 1
	    kill -KILL $$' "$PROBE"
	assert_equal "$status" 137
	term_pid1 "$USHER" -- "$PROBE" -r "$T/rep" -R "$T/ready" -t TERM \
	    -s "$T/sig" -w TERM -k TERM
	assert_equal "$status" 143
	assert_equal "$(count_sig "$T/sig" TERM)" 1
}
