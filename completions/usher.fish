# fish completion for usher(1): its options, then the wrapped command.

# Whether option word $argv[1] needs the next word as its argument.  In a
# cluster of short options such as "-st", a letter that takes an argument
# takes the rest of the word, so the next word is needed only when that
# letter comes last.
function __usher_takes_arg -a word
    set -l long chdir delay env exit-map fd if-running kill-after umask \
        output orphans pidfile supervisor-pidfile pdeathsig ready \
        ready-timeout report restart-delay restart-max rewrite stop-signal \
        title timeout unset user
    set -l short C D E f k m o P p R S T t U u
    if string match -q -- '--*' $word
        string match -q -- '*=*' $word; and return 1
        contains -- (string sub -s 3 -- $word) $long
        return
    end
    set -l n (string length -- $word)
    for i in (seq 2 $n)
        # -r takes the rest of the word, if any, never the next one.
        test (string sub -s $i -l 1 -- $word) = r; and return 1
        if contains -- (string sub -s $i -l 1 -- $word) $short
            test $i -eq $n
            return
        end
    end
    return 1
end

# Once usher's options have ended, print the words of the wrapped command
# before the one being completed, one a line, and succeed; fail while the
# word being completed is still one of usher's options or their arguments,
# and always after --status or --stop, which take no command.
function __usher_command_words
    set -l words (commandline -opc)
    set -e words[1]
    set -l skip 0
    while set -q words[1]
        if test $skip -eq 1
            set skip 0
        else if contains -- $words[1] --status --stop
            return 1
        else if test "$words[1]" = --
            set -e words[1]
            string join \n -- $words
            return 0
        else if not string match -qr -- '^-.' $words[1]
            string join \n -- $words
            return 0
        else if __usher_takes_arg $words[1]
            set skip 1
        end
        set -e words[1]
    end
    # No command yet: the word being completed is one, unless it is an
    # option or an option's argument.
    test $skip -eq 0; and not string match -q -- '-*' (commandline -ct)
end

# The completions of the wrapped command, as if it had been typed alone.
function __usher_complete_command
    set -l words (__usher_command_words); or return
    set -l line (commandline -ct)
    # (string escape with no argument would read standard input.)
    set -q words[1]; and set line (string escape -- $words) $line
    complete -C (string join ' ' -- $line)
end

function __usher_signals
    printf '%s\n' HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 \
        PIPE ALRM TERM STKFLT CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ \
        VTALRM PROF WINCH IO PWR SYS RTMIN RTMAX
end

# -R FROM:TO: a signal and a colon, then the signal to deliver instead.
function __usher_rewrite
    set -l cur (string replace -r -- '^-(-[^=]*=|[a-zA-Z]*R)' '' \
        (commandline -ct))
    if string match -q -- '*:*' $cur
        set -l from (string split -m1 : -- $cur)[1]
        printf "$from:%s\n" (__usher_signals) none 0
    else
        printf '%s:\n' (__usher_signals)
    end
end

# -D SIGNAL:DURATION: a signal usher can hold (not KILL, STOP or CHLD) and
# a colon; nothing to offer for the duration.
function __usher_delay
    set -l cur (string replace -r -- '^-(-[^=]*=|[a-zA-Z]*D)' '' \
        (commandline -ct))
    string match -q -- '*:*' $cur; and return
    printf '%s:\n' (__usher_signals | string match -v -r '^(KILL|STOP|CHLD)$')
end

# -u USER[:GROUP]
function __usher_user
    set -l cur (string replace -r -- '^-(-[^=]*=|[a-zA-Z]*u)' '' \
        (commandline -ct))
    if string match -q -- '*:*' $cur
        set -l user (string split -m1 : -- $cur)[1]
        printf "$user:%s\n" (__fish_complete_groups | string replace -r '\t.*' '')
    else
        __fish_complete_users
    end
end

# -C DIR, also as -CDIR and --chdir=DIR.
function __usher_dirs
    __fish_complete_directories (string replace -r -- \
        '^-(-[^=]*=|[a-zA-Z]*C)' '' (commandline -ct))
end

# usher takes no file names of its own, only as option arguments.
complete -c usher -f

set -l opts 'not __usher_command_words >/dev/null'

complete -c usher -n $opts -s s -l setsid -d 'Run the command in a new session'
complete -c usher -n $opts -s d -l daemon -d 'Detach: run and supervise in the background'
complete -c usher -n $opts -s x -l exec -d 'Set up, then become the command (no supervisor)'
complete -c usher -n $opts -s p -l pidfile -r -F -d "Write the command's pid to FILE, locked"
complete -c usher -n $opts -s P -l supervisor-pidfile -r -F -d "Write usher's own pid to FILE, locked"
complete -c usher -n $opts -l if-running -x -a 'fail skip wait' -d 'When the pidfile is locked: fail (125), exit 0, or wait'
complete -c usher -n $opts -l ready -x -a 'fd: notify' -d 'Wait for the command to say it is ready'
complete -c usher -n $opts -l ready-timeout -x -d 'Stop it if not ready in time (default 60s), exit 124'
complete -c usher -n $opts -s r -l restart -d 'Restart the command when it exits (default on-failure)'
complete -c usher -n "$opts; and string match -q -- '--restart=*' (commandline -ct)" -a '--restart=on-failure --restart=always' -d 'Restart the command when it exits'
complete -c usher -n $opts -l restart-delay -x -d 'First delay before a restart (default 1s), doubling to 60s'
complete -c usher -n $opts -l restart-max -x -d 'Give up after N restarts in a row'
complete -c usher -n $opts -s T -l title -x -d "Usher's process title (default 'usher: COMMAND')"
complete -c usher -n $opts -l status -d 'With -p: print the pid; exit 0 running, 1 stale, 3 not'
complete -c usher -n $opts -l stop -d 'With -p: stop the running instance'
complete -c usher -n $opts -s f -l fd -x -d 'Map an fd: N=M N>&M N=- N<PATH N>PATH N>>PATH N<>PATH'
complete -c usher -n $opts -s o -l output -r -F -d 'Append stdout and stderr to FILE'
complete -c usher -n $opts -l close-fds -d 'Close every fd above 2 that -f does not name'
complete -c usher -n $opts -s C -l chdir -x -a '(__usher_dirs)' -d 'Run the command in DIR'
complete -c usher -n $opts -s m -l umask -x -d 'Octal umask for the command'
complete -c usher -n $opts -s u -l user -x -a '(__usher_user)' -d 'Run the command as USER[:GROUP]'
complete -c usher -n $opts -s E -l env -x -a '(set -xn)=' -d 'Set a variable for the command'
complete -c usher -n $opts -s U -l unset -x -a '(set -xn)' -d 'Remove a variable'
complete -c usher -n $opts -s R -l rewrite -x -a '(__usher_rewrite)' -d 'Deliver TO instead of FROM'
complete -c usher -n $opts -s g -l group -d "Forward every signal to the command's group"
complete -c usher -n $opts -l single-child -d 'Forward every signal to the command alone'
complete -c usher -n $opts -l pdeathsig -x -a '(__usher_signals) none' -d 'Signal the command gets if usher dies'
complete -c usher -n $opts -s t -l timeout -x -d 'Stop the command after DURATION, then exit 124'
complete -c usher -n $opts -s S -l stop-signal -x -a '(__usher_signals)' -d 'Signal that stops the command'
complete -c usher -n $opts -s k -l kill-after -x -d 'Send KILL if it still runs DURATION after a stop signal'
complete -c usher -n $opts -s D -l delay -x -a '(__usher_delay)' -d 'Hold SIGNAL for DURATION before forwarding it'
complete -c usher -n $opts -l orphans -x -a 'leave wait kill' -d 'When the command exits: leave, wait for or stop leftovers'
complete -c usher -n $opts -l exit-code-only -d 'Exit 128+N instead of dying by signal N'
complete -c usher -n $opts -l exit-map -x -d 'Report status FROM as TO'
complete -c usher -n $opts -l report -r -F -d 'On exit, write a JSON report of the run to FILE'
complete -c usher -n $opts -s v -l verbose -d 'Say what usher does, on stderr'
complete -c usher -n $opts -s h -l help -d 'Show the help and exit'
complete -c usher -n $opts -s V -l version -d 'Show the version and exit'

# The wrapped command, once usher's options have ended.
complete -c usher -n '__usher_command_words >/dev/null' -a '(__usher_complete_command)'
