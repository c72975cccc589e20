#!/usr/bin/env bats
# Job control through a real pseudo-terminal (test/helpers/ptyrun.c):
# keyboard signals reach the command directly and once, Ctrl-Z and fg are
# mirrored, an interactive shell under usher keeps job control, and usher
# in the background never takes the terminal.

load test_helper

@test "Ctrl-C reaches a foreground command exactly once, not usher" {
	pty "waitfile $T/ready
send \\x03
send \\x1c
eof" "$USHER" -- "$PROBE" -r "$T/rep" -R "$T/ready" -t INT,QUIT -s "$T/sig" -w QUIT -T 8
	assert_equal "$status" 0
	assert_equal "$(count_sig "$T/sig" INT)" 1
	assert_equal "$(count_sig "$T/sig" QUIT)" 1
	# the terminal's foreground is the command's own group
	assert_equal "$(field "$T/rep" tpgid)" "$(field "$T/rep" pgid)"
	assert_equal "$(field "$T/rep" pgid)" "$(field "$T/rep" pid)"
	[ "$(field "$T/rep" ctty)" != none ]
}

@test "Ctrl-C that kills the command kills usher by the same signal" {
	pty "waitfile $T/ready
send \\x03
eof" "$USHER" -- "$PROBE" -R "$T/ready" -W "$T/never" -T 8
	assert_equal "$status" 130
}

@test "Ctrl-Z stops the job, fg gives the terminal back to the command" {
	ishell "expect PROMPT> 
send \"$USHER\" -- sh -c 'touch $T/started; read line; echo \"got:\$line\"; exit 4'\\n
waitfile $T/started
send \\x1a
expect Stopped
expect PROMPT> 
send fg\\n
send hello\\n
expect got:hello
expect PROMPT> 
send echo \"status=\$?\"\\n
expect status=4
send exit\\n
eof"
	assert_equal "$status" 0
}

# ctrl_z_fg USHER-ARGS PROBE-ARGS KEY...: in an interactive bash, usher
# USHER-ARGS -- probe -R $T/ready -s $T/sig PROBE-ARGS (each a string of
# words for the shell); Ctrl-Z once the probe is ready, then fg, and once
# the probe has had its CONT, each KEY; the job must end with 0.
ctrl_z_fg() {
	local uargs=$1 pargs=$2 k keys=""
	shift 2
	for k in "$@"; do
		keys+="send $k"$'\n'
	done
	ishell "expect PROMPT> 
send \"$USHER\" $uargs -- \"$PROBE\" -R \"$T/ready\" -s \"$T/sig\" $pargs\\n
waitfile $T/ready
send \\x1a
expect Stopped
expect PROMPT> 
send fg\\n
waitfile $T/sig CONT
${keys}expect PROMPT> 
send echo \"st=\$?\"\\n
expect st=0
send exit\\n
eof"
}

@test "Ctrl-Z and fg: the command is continued once, keyboard signals still go to it alone" {
	ctrl_z_fg "" "-t CONT,INT,QUIT -w QUIT -T 12" '\x03' '\x1c'
	assert_equal "$status" 0
	assert_equal "$(count_sig "$T/sig" CONT)" 1
	assert_equal "$(count_sig "$T/sig" INT)" 1
	assert_equal "$(count_sig "$T/sig" QUIT)" 1
}

@test "an interactive bash under usher keeps job control" {
	pty "expect PROMPT> 
send sh -c 'trap \"echo con\"\"tinued\" CONT; touch $T/running; while :; do sleep 0.05; done'\\n
waitfile $T/running
send \\x1a
expect Stopped
expect PROMPT> 
send fg\\n
expect continued
send \\x03
expect PROMPT> 
send jobs; exit 7\\n
eof" "$USHER" -- bash --norc --noprofile -i
	assert_equal "$status" 7
	refute_output --partial "no job control"
	refute_output --partial "cannot set terminal process group"
}

@test "usher started in the background leaves the shell in the foreground" {
	ishell "expect PROMPT> 
send \"$USHER\" -- \"$PROBE\" -r \"$T/rep\" -R \"$T/ready\" -W \"$T/go\" -T 8 &\\n
waitfile $T/ready
send echo alive\\n
expect alive
send touch \"$T/go\"; wait; echo \"st=\$?\"\\n
expect st=0
send exit\\n
eof"
	assert_equal "$status" 0
	[ "$(field "$T/rep" tpgid)" != "$(field "$T/rep" pgid)" ]
}

@test "a background command that reads the terminal stops, and fg resumes it" {
	ishell "expect PROMPT> 
send set -b\\n
expect PROMPT> 
send \"$USHER\" -- sh -c 'read line; echo \"got:\$line\"' &\\n
expect Stopped
send fg\\n
send typed\\n
expect got:typed
expect PROMPT> 
send exit\\n
eof"
	assert_equal "$status" 0
}

@test "-s: Ctrl-C reaches the command once through usher" {
	pty "waitfile $T/ready
send \\x03
send \\x1c
eof" "$USHER" -s -- "$PROBE" -r "$T/rep" -R "$T/ready" -t INT,QUIT -s "$T/sig" -w QUIT -T 8
	assert_equal "$status" 0
	assert_equal "$(count_sig "$T/sig" INT)" 1
	assert_equal "$(field "$T/rep" ctty)" none
	assert_equal "$(field "$T/rep" sid)" "$(field "$T/rep" pid)"
}

@test "-s: Ctrl-Z stops the command with STOP, fg continues it" {
	ctrl_z_fg -s "-t CONT,INT -w INT -T 12" '\x03'
	assert_equal "$status" 0
	assert_equal "$(count_sig "$T/sig" CONT)" 1
	assert_equal "$(count_sig "$T/sig" INT)" 1
}

@test "a restart after bg does not take the terminal from the shell" {
	ishell "expect PROMPT> 
send \"$USHER\" -r --restart-delay 0.1 --restart-max 2 -- \"$PROBE\" -r \"$T/rep\" -R \"$T/ready\" -W \"$T/go\" -T 8 -x 1\\n
waitfile $T/ready
send \\x1a
expect Stopped
expect PROMPT> 
send bg\\n
expect PROMPT> 
send rm -f \"$T/ready\"; touch \"$T/go\"\\n
waitfile $T/ready
expect PROMPT> 
send wait; echo \"al\"\"ive\"\\n
expect alive
send exit\\n
eof"
	assert_equal "$status" 0
	# the last restart: in the background, not the terminal's foreground
	[ "$(field "$T/rep" tpgid)" != "$(field "$T/rep" pgid)" ]
}
