#!/usr/bin/env bats
# Documentation: the man page is lint-clean, and the man page and the three
# completions name exactly the options that --help lists; each completion
# offers signals, users, directories and files where usher wants them, and
# hands over to the wrapped command's own completion after usher's options.

load test_helper

ROOT=$BATS_TEST_DIRNAME/..
MAN=$ROOT/man1/usher.1
BASHC=$ROOT/completions/usher.bash
ZSHC=$ROOT/completions/_usher
FISHC=$ROOT/completions/usher.fish

# The options of --help, one a line: "--name" and "-X".
help_longs() {
	"$USHER" --help | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}
help_shorts() {
	"$USHER" --help | grep -oE '^ +-[A-Za-z],' | grep -oE -- '-[A-Za-z]' |
	    sort -u
}

# The options each file names.  Comment lines never count.
man_longs() {
	grep -v '^\.\\"' "$MAN" |
	    grep -oE -- '(Fl \\?-|\\-\\-|--)[a-z][a-z0-9-]*' |
	    sed -E 's/^(Fl \\?-|\\-\\-|--)/--/' | sort -u
}
man_shorts() {
	# ".Fl t" and clusters such as ".Op Fl ghsVvx".
	grep -v '^\.\\"' "$MAN" | grep -oE 'Fl [A-Za-z]+([ ,]|$)' |
	    sed -E 's/^Fl //; s/[ ,]$//' | grep -oE '[A-Za-z]' |
	    sed 's/^/-/' | sort -u
}
# bash: the word lists that _usher offers, and any --name in its code.
bash_lists() {
	bash --norc -c 'source "$1"; printf "%s\n" $_usher_opts_arg \
	    $_usher_opts_flag' bash "$BASHC"
}
bash_offered_longs() {
	bash_lists | grep -E -- '^--' | sort -u
}
bash_offered_shorts() {
	bash_lists | grep -E -- '^-[A-Za-z]$' | sort -u
}
bash_named_longs() {
	grep -vE '^[[:space:]]*#' "$BASHC" |
	    grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}
# zsh: any --name; short options as in '{-t+,--timeout=}', '{-g,--group}'
# and '{-r-,--restart=-}'.
zsh_longs() {
	grep -vE '^[[:space:]]*#' "$ZSHC" |
	    grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}
zsh_shorts() {
	grep -vE '^[[:space:]]*#' "$ZSHC" | grep -oE -- '\{-[A-Za-z][-+]?,' |
	    grep -oE -- '-[A-Za-z]' | sort -u
}
# fish: "-l name" and "-s X" of the "complete -c usher" lines.
fish_longs() {
	grep -E '^complete -c usher ' "$FISHC" |
	    grep -oE -- ' -l [a-z][a-z0-9-]*' | sed 's/^ -l /--/' | sort -u
}
fish_shorts() {
	grep -E '^complete -c usher ' "$FISHC" |
	    grep -oE -- ' -s [A-Za-z]( |$)' | sed 's/^ -s /-/; s/ $//' |
	    sort -u
}

# compare LABEL WANT GOT: append to $errors what GOT lacks of WANT and
# what it has beyond WANT (both sorted lists, one item a line).
compare() {
	local lacks extra
	lacks=$(comm -23 <(printf '%s\n' "$2") <(printf '%s\n' "$3") | xargs)
	extra=$(comm -13 <(printf '%s\n' "$2") <(printf '%s\n' "$3") | xargs)
	[ -z "$lacks" ] || errors+="$1 lacks: $lacks"$'\n'
	[ -z "$extra" ] || errors+="$1 names what --help does not: $extra"$'\n'
	return 0
}

# has LIST ITEM...: every ITEM is a line of LIST.
has() {
	local list=$1 item
	shift
	for item in "$@"; do
		grep -qxF -- "$item" <<<"$list" ||
		    fail "'$item' not among: $(xargs <<<"$list")"
	done
}

# lacks LIST ITEM...: no ITEM is a line of LIST.
lacks() {
	local list=$1 item
	shift
	for item in "$@"; do
		! grep -qxF -- "$item" <<<"$list" ||
		    fail "'$item' unexpected among: $(xargs <<<"$list")"
	done
}

@test "man page: mandoc -Tlint -Wstyle has nothing to say" {
	run mandoc -Tlint -Wstyle "$MAN"
	# A note that the machine's mandoc.db lacks a page that does exist
	# (found by name instead) is about the machine, not about usher.1; a
	# missing page is "referenced manual not found" and is kept.
	local said
	said=$(grep -v 'outdated mandoc.db lacks' <<<"$output" || true)
	[ "$status" -eq 0 ] && [ -z "$said" ] ||
	    fail "mandoc: status $status: $output"
}

@test "man page: the sections and forms that mdoc wants" {
	run grep -cE '^\.(Dd|Dt USHER 1|Os)( |$)' "$MAN"
	assert_output 3
	for sh in NAME SYNOPSIS DESCRIPTION SIGNALS ENVIRONMENT FILES \
	    'EXIT STATUS' EXAMPLES 'SEE ALSO'; do
		grep -qx "\\.Sh $sh" "$MAN" || fail "no section $sh"
	done
	grep -qF '.Bl -tag -width Ds' "$MAN"
	grep -qF '.It Fl t Ar duration , Fl \-timeout Ar duration' "$MAN"
}

@test "man page: the three forms of the synopsis, as --help has them" {
	"$USHER" --help | grep -qE '^ +usher --status -p PIDFILE$'
	"$USHER" --help | grep -qE '^ +usher --stop -p PIDFILE '
	# The SYNOPSIS: three times .Nm, the last two with --status and
	# --stop first.
	run awk '/^\.Sh SYNOPSIS/ { on = 1; next } /^\.Sh / { on = 0 }
	    on && prev == ".Nm" { print } { prev = $0 }' "$MAN"
	assert_output "$(printf '%s\n' '.Op Fl dghrsVvx' '.Fl \-status' \
	    '.Fl \-stop')"
}

@test "man page and completions name exactly the options of --help" {
	local longs shorts errors=
	longs=$(help_longs)
	shorts=$(help_shorts)
	# The extraction itself must work, or everything would agree.
	has "$longs" --timeout --pdeathsig --exit-map --help --restart \
	    --supervisor-pidfile --status --stop
	has "$shorts" -t -S -R -x -V -d -p -P -r -T -D
	[ "$(wc -l <<<"$longs")" -ge 20 ] || fail "only $longs"

	compare "man1/usher.1 (long)" "$longs" "$(man_longs)"
	compare "man1/usher.1 (short)" "$shorts" "$(man_shorts)"
	compare "usher.bash offers (long)" "$longs" "$(bash_offered_longs)"
	compare "usher.bash offers (short)" "$shorts" "$(bash_offered_shorts)"
	compare "usher.bash (any --name)" "$longs" "$(bash_named_longs)"
	compare "_usher (long)" "$longs" "$(zsh_longs)"
	compare "_usher (short)" "$shorts" "$(zsh_shorts)"
	compare "usher.fish (long)" "$longs" "$(fish_longs)"
	compare "usher.fish (short)" "$shorts" "$(fish_shorts)"
	[ -z "$errors" ] || fail "$errors"
}

# bash_complete LINE: what _usher puts in COMPREPLY for LINE, the cursor
# at its end, one a line, in $output.  LINE is split into COMP_WORDS as
# readline splits it: at blanks, and ":" and "=" are words of their own.
bash_complete() {
	run --separate-stderr bash --norc -c '
		source /usr/share/bash-completion/bash_completion || exit 2
		source "$1" || exit 2
		compopt() { :; }	# only works inside real completion
		line=$2 w=
		COMP_WORDS=()
		for ((i = 0; i < ${#line}; i++)); do
			c=${line:i:1}
			case $c in
			" ")	[[ -n $w ]] && COMP_WORDS+=("$w"); w= ;;
			[:=])	[[ -n $w ]] && COMP_WORDS+=("$w")
				COMP_WORDS+=("$c"); w= ;;
			*)	w+=$c ;;
			esac
		done
		COMP_WORDS+=("$w")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$line COMP_POINT=${#line}
		_usher usher "${COMP_WORDS[COMP_CWORD]}" \
		    "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"
	' bash "$BASHC" "$1"
	[ "$status" -eq 0 ] || fail "bash: status $status: $stderr"
	[ -z "$stderr" ] || fail "bash said: $stderr"
}

@test "bash: usher's options, exactly those of --help" {
	bash_complete 'usher --t'
	has "$output" --timeout
	lacks "$output" --setsid --verbose
	bash_complete 'usher -'
	assert_equal "$(sort -u <<<"$output")" \
	    "$( (help_longs; help_shorts) | sort -u)"
}

@test "bash: signals for -S, --pdeathsig and -R" {
	bash_complete 'usher -S '
	has "$output" TERM KILL INT RTMIN
	lacks "$output" none
	bash_complete 'usher -sS T'
	has "$output" TERM TSTP
	lacks "$output" KILL
	bash_complete 'usher --stop-signal SIGK'
	has "$output" SIGKILL
	bash_complete 'usher --pdeathsig '
	has "$output" none TERM
	bash_complete 'usher --pdeathsig=n'
	assert_output none
	bash_complete 'usher -R TE'
	assert_output TERM:
	bash_complete 'usher -R TERM:Q'
	assert_output QUIT
	bash_complete 'usher --rewrite TERM:'
	has "$output" QUIT none 0
}

@test "bash: users for -u, directories for -C, files for -o" {
	mkdir "$T/dir1"
	touch "$T/file1"
	bash_complete 'usher -u roo'
	has "$output" root
	bash_complete 'usher --user root:roo'
	has "$output" root
	bash_complete "usher -C $T/"
	has "$output" "$T/dir1"
	lacks "$output" "$T/file1"
	bash_complete "usher -o $T/fi"
	assert_output "$T/file1"
	bash_complete 'usher -t '
	assert_output ''
}

@test "bash: the words of --if-running, --orphans, --restart and --ready" {
	bash_complete 'usher --if-running '
	assert_equal "$(sort <<<"$output")" "$(printf '%s\n' fail skip wait)"
	bash_complete 'usher --if-running=s'
	assert_output skip
	bash_complete 'usher --orphans '
	assert_equal "$(sort <<<"$output")" "$(printf '%s\n' kill leave wait)"
	bash_complete 'usher -s --orphans k'
	assert_output kill
	bash_complete 'usher --restart='
	assert_equal "$(sort <<<"$output")" \
	    "$(printf '%s\n' always on-failure)"
	bash_complete 'usher --ready '
	has "$output" fd: notify
	bash_complete 'usher --ready n'
	assert_output notify
}

@test "bash: signals for -D, files for -p, -P and --report, none for -T" {
	touch "$T/file1"
	bash_complete 'usher -D TE'
	assert_output TERM:
	bash_complete 'usher --delay '
	has "$output" TERM: INT: HUP:
	lacks "$output" KILL: STOP: CHLD: TERM
	bash_complete 'usher -D TERM:'
	assert_output ''
	bash_complete "usher -p $T/fi"
	assert_output "$T/file1"
	bash_complete "usher --supervisor-pidfile $T/fi"
	assert_output "$T/file1"
	bash_complete "usher -dP $T/fi"
	assert_output "$T/file1"
	bash_complete "usher --report $T/fi"
	assert_output "$T/file1"
	bash_complete 'usher -T '
	assert_output ''
	bash_complete 'usher --restart-max '
	assert_output ''
}

@test "bash: no command after --status and --stop, -r takes no word" {
	bash_complete 'usher --status -p /run/x.pid '
	lacks "$output" echo
	bash_complete 'usher --stop -p /run/x.pid -k 5 --'
	has "$output" --stop-signal
	bash_complete 'usher --stop -p /run/x.pid -- ech'
	assert_output ''
	bash_complete 'usher -r ech'
	has "$output" echo
	bash_complete 'usher --restart -d ech'
	has "$output" echo
}

@test "bash: the wrapped command completes as if typed alone" {
	touch "$T/file1"
	bash_complete 'usher -- ech'
	has "$output" echo
	bash_complete 'usher ech'
	has "$output" echo
	bash_complete 'usher -st 5 -k 1s ech'
	has "$output" echo
	bash_complete 'usher --timeout=5 -R TERM:QUIT -- ech'
	has "$output" echo
	# ls's own completion: an option usher does not have.
	bash_complete 'usher -t 5 ls --col'
	has "$output" --color
	lacks "$output" --chdir
	bash_complete "usher -- ls $T/fi"
	has "$output" "$T/file1"
}

# zsh_complete LINE...: the candidates zsh offers for each LINE, one a
# line, into $T/zc.1, $T/zc.2 and so on; all in one interactive zsh on a
# pty (zpty), with completions/ first in fpath.  zc N puts the candidates
# for the Nth LINE in $output.
zsh_complete() {
	cat >"$T/zcomp.zsh" <<'EOF'
zmodload zsh/zpty || exit 2
dir=$1 out=$2 buf= n=0
shift 2
upto() {	# read the pty until $1 shows, for 10 s at most
	local chunk deadline=$(( SECONDS + 10 ))
	while (( SECONDS < deadline )); do
		if zpty -rt z chunk; then
			buf+=$chunk
			[[ $buf == *$1* ]] && return 0
		else
			sleep 0.02	# the poll interval, with a deadline above
		fi
	done
	print -u2 "zpty: no $1 in: $buf"
	exit 3
}
cmd() {		# run $1 in the shell, and wait until it is done
	zpty -w z "$1; print '<R''DY>'"
	upto '<RDY>'
	buf=
}
zpty z TERM=dumb zsh -f -i || exit 2
cmd 'PS1="> " RPS1=; unsetopt beep'
cmd "fpath=(${(q)dir} \$fpath); autoload -U compinit; compinit -u -D"
cmd 'compadd() { local -a m; if (( ${@[(I)-[OAD]*]} == 0 )); then builtin compadd -A m "$@"; print -rl -- "<""C>"${^m}; fi; builtin compadd "$@"; }'
cmd 'zstyle ":completion:*" list-prompt ""; LISTMAX=100000'
for line in "$@"; do
	zpty -n -w z "$line"$'\t'
	zpty -n -w z $'\C-u'
	zpty -w z "print '<E''ND$((++n))>'"
	upto "<END$n>"
	print -r -- "$buf" | tr -d '\r' | sed -n 's/^.*<C>//p' | sort -u \
	    >"$out.$n"
	buf=
done
zpty -d z
EOF
	run --separate-stderr zsh -f "$T/zcomp.zsh" "$ROOT/completions" \
	    "$T/zc" "$@"
	[ "$status" -eq 0 ] || fail "zsh: status $status: $stderr"
}

zc() {
	output=$(cat "$T/zc.$1")
}

@test "zsh: _usher loads through compinit without a word" {
	run zsh -f -c '
		fpath=("$1" $fpath)
		autoload -U compinit && compinit -u -D
		[[ $_comps[usher] == _usher ]] || { print "not for usher"; exit 1; }
		autoload +X _usher
		(( $+functions[_usher] )) || { print "no _usher"; exit 1; }
		print ok
	' zsh "$ROOT/completions"
	assert_success
	assert_output ok
}

@test "zsh: options, signals and the wrapped command" {
	zsh_complete 'usher --tim' 'usher -' 'usher -x --' 'usher -S ' \
	    'usher --pdeathsig ' 'usher -R TERM:Q' 'usher -D ' \
	    'usher -- ech' 'usher -t 5 ls --col'
	zc 1
	assert_output --timeout
	zc 2
	assert_equal "$(grep -E -- '^-.' <<<"$output")" \
	    "$( (help_longs; help_shorts) | sort -u)"
	zc 3
	lacks "$output" --timeout --exit-map --single-child --delay \
	    --orphans --report --restart --supervisor-pidfile --ready --title
	has "$output" --chdir --user --pidfile --daemon
	zc 4
	has "$output" TERM KILL
	zc 5
	has "$output" none TERM
	zc 6
	has "$output" QUIT
	zc 7
	has "$output" TERM INT
	lacks "$output" KILL STOP CHLD
	zc 8
	has "$output" echo
	zc 9
	has "$output" --color
	lacks "$output" --chdir
}

@test "zsh: the words of --if-running, --orphans, --restart and --ready" {
	zsh_complete 'usher --if-running ' 'usher --orphans ' \
	    'usher --restart=' 'usher --ready '
	zc 1
	assert_output "$(printf '%s\n' fail skip wait)"
	zc 2
	assert_output "$(printf '%s\n' kill leave wait)"
	zc 3
	assert_output "$(printf '%s\n' always on-failure)"
	zc 4
	assert_output "$(printf '%s\n' fd: notify)"
}

# fish_complete LINE: what fish's complete -C offers for LINE, without
# descriptions, one a line.
fish_complete() {
	run --separate-stderr fish --no-config -c '
		set fish_complete_path $__fish_data_dir/completions
		source $argv[1]; or exit 2
		# (string replace fails when there is nothing to replace.)
		complete -C $argv[2] | string replace -r "\t.*" ""; true
	' "$FISHC" "$1"
	[ "$status" -eq 0 ] || fail "fish: status $status: $stderr"
	[ -z "$stderr" ] || fail "fish said: $stderr"
}

@test "fish: options, signals, users and the wrapped command" {
	fish_complete 'usher --ti'
	has "$output" --timeout
	fish_complete 'usher -S '
	has "$output" TERM KILL
	lacks "$output" none
	fish_complete 'usher --pdeathsig '
	has "$output" none TERM
	fish_complete 'usher -R TERM:'
	has "$output" TERM:QUIT TERM:none
	fish_complete 'usher -u roo'
	has "$output" root
	fish_complete 'usher --if-running '
	assert_equal "$(sort <<<"$output")" "$(printf '%s\n' fail skip wait)"
	fish_complete 'usher --orphans '
	assert_equal "$(sort <<<"$output")" "$(printf '%s\n' kill leave wait)"
	fish_complete 'usher --restart='
	has "$output" --restart=on-failure --restart=always
	fish_complete 'usher --ready '
	has "$output" fd: notify
	fish_complete 'usher -D TE'
	assert_output TERM:
	fish_complete 'usher --delay '
	lacks "$output" KILL: STOP: CHLD:
	fish_complete 'usher --status -p /run/x.pid '
	assert_output ''
	fish_complete 'usher --'
	assert_equal "$(grep -E -- '^--' <<<"$output" | sort -u)" "$(help_longs)"
	fish_complete 'usher -- ech'
	has "$output" echo
	fish_complete 'usher -t 5 ls --col'
	has "$output" --color
	lacks "$output" --chdir
}
