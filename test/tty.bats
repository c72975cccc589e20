#!/usr/bin/env bats
# -u and the terminal: a command run as another user must not type into
# root's terminal with TIOCSTI or TIOCLINUX (a seccomp filter that usher
# installs while still root), and must still be able to use the terminal.
# test/helpers/tiocsti.c tries every way the ABI offers and reports each
# errno; test/helpers/noseccomp.c makes installing a filter fail.

load test_helper

TIOCSTI=$HELPERS/tiocsti
NOSECCOMP=$HELPERS/noseccomp

setup() {
	[ "$(id -u)" = 0 ] || fail "these tests need root"
}

# inject USHER-ARGS...: in an interactive root shell on a terminal, run
# usher ARGS... -- tiocsti 'touch $T/pwned', its report going to $T/rep
# (the shell opens it: nobody may not write in $T), then a command of the
# shell's own that marks the point by which typed-in text would have run.
inject() {
	local args
	args=$(printf '"%s" ' "$@")
	ishell "expect PROMPT> 
send $args-- \"$TIOCSTI\" 'touch $T/pwned' >\"$T/rep\"\\n
waitfile $T/rep tioclinux=
expect PROMPT> 
send touch \"$T/marker\"\\n
waitfile $T/marker
send exit\\n
eof"
	assert_equal "$status" 0
	assert_file_exists "$T/marker"
}

# blocked: every way to type in failed with EPERM from the filter, and
# nothing the command pushed ran in root's shell.
blocked() {
	cat "$T/rep"
	assert_file_not_exists "$T/pwned"
	assert_equal "$(field "$T/rep" uid)" "$(id -u nobody)"
	assert_equal "$(field "$T/rep" tiocsti)" EPERM
	# the filter's, not the kernel's (dev.tty.legacy_tiocsti=0 or -s)
	assert_equal "$(field "$T/rep" seccomp)" 2
	assert_equal "$(field "$T/rep" tiocsti_high)" EPERM
	# on a pty TIOCLINUX is ENOTTY without the filter
	assert_equal "$(field "$T/rep" tioclinux)" EPERM
	if [ "$(uname -m)" = x86_64 ]; then
		# without the filter: ENOSYS, or ok on an x32 kernel
		assert_equal "$(field "$T/rep" tiocsti_x32)" EPERM
		assert_equal "$(field "$T/rep" tiocsti_x32_16)" EPERM
		# "unavailable" where the kernel makes no i386 calls
		[[ "$(field "$T/rep" tiocsti_i386)" =~ ^(EPERM|unavailable)$ ]]
	fi
}

@test "-u: the command cannot type into root's terminal" {
	inject "$USHER" -u nobody
	blocked
	assert_equal "$(field "$T/rep" nnp)" 0
}

@test "-x -u: the command cannot type into root's terminal" {
	inject "$USHER" -x -u nobody
	blocked
	assert_equal "$(field "$T/rep" nnp)" 0
}

@test "-s -u: the command gets the filter too, with no controlling terminal" {
	inject "$USHER" -s -u nobody
	blocked
}

@test "-u: an interactive command can still read and write the terminal" {
	ishell "expect PROMPT> 
send \"$USHER\" -u nobody -- sh -c 'grep Seccomp: /proc/self/status; echo \"rea\"\"dy\"; read line; echo \"got:\$line\"; exit 3'\\n
expect ready
send typed\\n
expect got:typed
expect PROMPT> 
send echo \"st=\$?\"\\n
expect st=3
send exit\\n
eof"
	assert_equal "$status" 0
	assert_output --regexp $'Seccomp:\t2'
}

@test "-u without CAP_SYS_ADMIN on a terminal: no_new_privs, then the filter" {
	inject setpriv --bounding-set=-sys_admin "$USHER" -u nobody
	blocked
	assert_equal "$(field "$T/rep" nnp)" 1
}

@test "-u with no terminal: the filter all the same, without no_new_privs" {
	run setsid -w "$USHER" -u nobody -- "$TIOCSTI" x </dev/null
	assert_equal "$status" 0
	echo "$output" >"$T/rep"
	assert_equal "$(field "$T/rep" seccomp)" 2
	assert_equal "$(field "$T/rep" nnp)" 0
	assert_equal "$(field "$T/rep" tioclinux)" EPERM
	# without -u there is no filter
	run setsid -w "$USHER" -- "$TIOCSTI" x </dev/null
	assert_equal "$status" 0
	echo "$output" >"$T/rep2"
	assert_equal "$(field "$T/rep2" seccomp)" 0
	assert_equal "$(field "$T/rep2" tioclinux)" ENOTTY
}

@test "-u without CAP_SYS_ADMIN and no terminal: no no_new_privs, no filter" {
	run setsid -w setpriv --bounding-set=-sys_admin \
	    "$USHER" -u nobody -- "$TIOCSTI" x </dev/null
	assert_equal "$status" 0
	echo "$output" >"$T/rep"
	assert_equal "$(field "$T/rep" uid)" "$(id -u nobody)"
	assert_equal "$(field "$T/rep" seccomp)" 0
	assert_equal "$(field "$T/rep" nnp)" 0
}

@test "-u on a terminal where no filter can be installed: 125, nothing started" {
	# the terminal shows the one line and nothing of the command
	pty "eof" "$NOSECCOMP" "$USHER" -u nobody -- echo started
	assert_equal "$status" 125
	assert_equal "$output" $'usher: -u: seccomp: Invalid argument\r'
	pty "eof" "$NOSECCOMP" "$USHER" -x -u nobody -- echo started
	assert_equal "$status" 125
	assert_equal "$output" $'usher: -u: seccomp: Invalid argument\r'
}

@test "-u with no terminal where no filter can be installed: the command runs" {
	run setsid -w "$NOSECCOMP" "$USHER" -u nobody -- id -u </dev/null
	assert_equal "$status" 0
	assert_equal "$output" "$(id -u nobody)"
}
