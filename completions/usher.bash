# bash completion for usher(1).
#
# usher's own options up to the first word that is not an option (or up
# to "--"), then the wrapped command's completion, as for sudo or env.

# The options that take an argument, and those that do not.  -r and
# --restart take theirs only attached (-ralways, --restart=always), never
# as the next word, so they count as flags here.
_usher_opts_arg='-C --chdir -D --delay -E --env --exit-map -f --fd
    --if-running -k --kill-after -m --umask -o --output --orphans -P
    --supervisor-pidfile -p --pidfile --pdeathsig -R --rewrite --ready
    --ready-timeout --report --restart-delay --restart-max -S --stop-signal
    -T --title -t --timeout -U --unset -u --user'
_usher_opts_flag='--close-fds -d --daemon --exit-code-only -g --group -h
    --help -r --restart -s --setsid --single-child --status --stop -V
    --version -v --verbose -x --exec'
_usher_sigs='HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE
    ALRM TERM STKFLT CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF
    WINCH IO PWR SYS RTMIN RTMAX'

# _usher_takes_arg WORD: whether option word WORD (without "=value") needs
# the next word as its argument.  In a cluster of short options such as
# "-st", a letter that takes an argument takes the rest of the word, so
# the next word is needed only when that letter comes last.
_usher_takes_arg()
{
	local w=$1 o i
	if [[ $w == --* ]]; then
		for o in $_usher_opts_arg; do
			[[ $o == "$w" ]] && return 0
		done
		return 1
	fi
	for ((i = 1; i < ${#w}; i++)); do
		# -r takes the rest of the word, if any, never the next one.
		[[ ${w:i:1} == r ]] && return 1
		for o in $_usher_opts_arg; do
			[[ $o == "-${w:i:1}" ]] && { ((i == ${#w} - 1)); return; }
		done
	done
	return 1
}

# _usher_signals [PREFIX [SIGNALS]]: signal names (of SIGNALS, or all)
# matching $cur after PREFIX, with "SIG" in front when the user started
# typing it.
_usher_signals()
{
	local pre=${1-} word=${cur#"${1-}"} sigs=${2:-$_usher_sigs}
	if [[ ${word^^} == SIG* ]]; then
		# shellcheck disable=SC2086 # a list of names, split on purpose
		sigs=$(printf 'SIG%s ' $sigs)
		word=${word^^}
	elif [[ $word == [a-z]* ]]; then
		word=${word^^}
	fi
	mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY \
	    < <(compgen -P "$pre" -W "$sigs" -- "$word")
}

# _usher_wordindex K: the index in COMP_WORDS where words[K] starts.
# _init_completion joined words split at ":" and "=" back together;
# _command_offset counts in COMP_WORDS.
_usher_wordindex()
{
	local k=0 j=0 acc
	while ((k < $1)); do
		acc=${COMP_WORDS[j++]}
		while [[ $acc != "${words[k]}" ]] && ((j < ${#COMP_WORDS[@]})); do
			acc+=${COMP_WORDS[j++]}
		done
		((k++))
	done
	echo "$j"
}

_usher()
{
	local cur prev words cword split
	if declare -F _init_completion >/dev/null; then
		_init_completion -s -n : || return
	else
		COMPREPLY=()
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
		cur=${words[cword]}
		prev=${words[cword - 1]}
		split=false
		if [[ $cur == --*=* ]]; then
			prev=${cur%%=*}
			cur=${cur#*=}
			split=true
		fi
	fi

	# Find where usher's options end and the command begins.  --status
	# and --stop take no command: after them, only options.
	local i w start=0 skip=false action=false
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		if $skip; then
			skip=false
		elif [[ $w == --status || $w == --stop ]]; then
			action=true
		elif [[ $w == -- ]]; then
			start=$((i + 1))
			break
		elif [[ $w != -?* ]]; then
			start=$i
			break
		elif [[ $w != *=* ]] && _usher_takes_arg "$w"; then
			skip=true
		fi
	done
	if ((start == 0)) && ! $skip && ! $split && [[ $cur != -* ]]; then
		start=$cword
	fi
	if ((start == cword)) && $action && [[ $prev != -- ]]; then
		start=0
	elif ((start > 0)) && $action; then
		return
	fi
	if ((start > 0)); then
		if declare -F _command_offset >/dev/null; then
			_command_offset "$(_usher_wordindex "$start")"
		else
			mapfile -t COMPREPLY < <(compgen -c -- "$cur")
		fi
		return
	fi

	# An option's argument?
	local opt=$prev
	if ! $split; then
		$skip || opt=
	fi
	if [[ -n $opt && $opt != --* ]]; then
		opt=-${opt: -1}
	fi
	case $opt in
	-S | --stop-signal)
		_usher_signals
		return
		;;
	--pdeathsig)
		_usher_signals
		mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY \
		    < <(compgen -W 'none' -- "$cur")
		return
		;;
	-R | --rewrite)
		if [[ $cur == *:* ]]; then
			_usher_signals "${cur%%:*}:"
			mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY \
			    < <(compgen -P "${cur%%:*}:" -W 'none 0' \
			    -- "${cur#*:}")
		else
			_usher_signals
			COMPREPLY=("${COMPREPLY[@]/%/:}")
			compopt -o nospace 2>/dev/null
		fi
		declare -F __ltrim_colon_completions >/dev/null &&
		    __ltrim_colon_completions "$cur"
		return
		;;
	-D | --delay)
		# A signal usher can hold (not KILL, STOP or CHLD), a colon,
		# then a duration, for which there is nothing to offer.
		if [[ $cur != *:* ]]; then
			local w holdable=
			for w in $_usher_sigs; do
				case $w in
				KILL | STOP | CHLD) ;;
				*) holdable+=" $w" ;;
				esac
			done
			_usher_signals '' "$holdable"
			COMPREPLY=("${COMPREPLY[@]/%/:}")
			compopt -o nospace 2>/dev/null
			declare -F __ltrim_colon_completions >/dev/null &&
			    __ltrim_colon_completions "$cur"
		fi
		return
		;;
	--restart)
		# Only reached as --restart=WHEN.
		mapfile -t COMPREPLY \
		    < <(compgen -W 'on-failure always' -- "$cur")
		return
		;;
	--if-running)
		mapfile -t COMPREPLY < <(compgen -W 'fail skip wait' -- "$cur")
		return
		;;
	--orphans)
		mapfile -t COMPREPLY < <(compgen -W 'leave wait kill' -- "$cur")
		return
		;;
	--ready)
		# fd:N (a number follows) or notify.
		if [[ $cur != *:* ]]; then
			mapfile -t COMPREPLY \
			    < <(compgen -W 'fd: notify' -- "$cur")
			[[ ${COMPREPLY[*]} == fd: ]] &&
			    compopt -o nospace 2>/dev/null
			declare -F __ltrim_colon_completions >/dev/null &&
			    __ltrim_colon_completions "$cur"
		fi
		return
		;;
	-u | --user)
		if [[ $cur == *:* ]]; then
			mapfile -t COMPREPLY \
			    < <(compgen -P "${cur%%:*}:" -g -- "${cur#*:}")
		else
			mapfile -t COMPREPLY < <(compgen -u -- "$cur")
		fi
		declare -F __ltrim_colon_completions >/dev/null &&
		    __ltrim_colon_completions "$cur"
		return
		;;
	-C | --chdir)
		if declare -F _filedir >/dev/null; then
			_filedir -d
		else
			mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		fi
		return
		;;
	-o | --output | -p | --pidfile | -P | --supervisor-pidfile | \
	    --report)
		if declare -F _filedir >/dev/null; then
			_filedir
		else
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		fi
		return
		;;
	-E | --env)
		mapfile -t COMPREPLY < <(compgen -e -S = -- "$cur")
		compopt -o nospace 2>/dev/null
		return
		;;
	-U | --unset)
		mapfile -t COMPREPLY < <(compgen -e -- "$cur")
		return
		;;
	-f | --fd | -k | --kill-after | -m | --umask | -t | --timeout | \
	    --exit-map | --ready-timeout | --restart-delay | --restart-max | \
	    -T | --title)
		# Fd maps, durations, modes, statuses, counts and titles:
		# nothing to offer.
		return
		;;
	esac

	mapfile -t COMPREPLY \
	    < <(compgen -W "$_usher_opts_arg $_usher_opts_flag" -- "$cur")
} &&
	complete -F _usher usher
