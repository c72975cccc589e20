#!/usr/bin/env bats
# usher as PID 1 of a real container (SPEC §12): build/usher-static in a
# rootfs of Debian's busybox-static, run by Debian's runc as root, with
# Docker's default capabilities.  Each test has a bundle of its own, and
# its container is deleted at teardown, whatever happened.  Where runc
# cannot run a container on this machine, every test says why and is
# skipped, which CI counts as a failure (test/run): none passes vacuously.

load test_helper

# Docker's default capability set (runc spec's is smaller): -u needs
# SETUID and SETGID, which it has.
CAPS='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER",
"CAP_MKNOD","CAP_NET_RAW","CAP_SETGID","CAP_SETUID","CAP_SETFCAP",
"CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT","CAP_KILL",
"CAP_AUDIT_WRITE"]'

setup_file() {
	local d=$BATS_FILE_TMPDIR
	export RUNC_WHY=
	[ -x "${USHER_STATIC:-}" ] || {
		export RUNC_WHY="USHER_STATIC='${USHER_STATIC:-}' is not an executable: run make static"
		return 0
	}
	if ! command -v runc >/dev/null || [ ! -x /bin/busybox ]; then
		export RUNC_WHY="runc or busybox-static is missing: run make deps"
		return 0
	fi
	[ "$(id -u)" = 0 ] || { export RUNC_WHY="runc needs root"; return 0; }
	make_rootfs "$d/rootfs"
	(cd "$d" && runc spec) || { export RUNC_WHY="runc spec failed"; return 0; }
	# Can runc run anything here (cgroups, namespaces)?
	mkdir -p "$d/probe"
	cp -a "$d/rootfs" "$d/config.json" "$d/probe/"
	jq '.process.terminal = false | .process.args = ["/bin/true"]' \
	    "$d/config.json" >"$d/probe/config.json"
	if ! timeout 30 runc run -b "$d/probe" "usher-probe-$$" >"$d/out" 2>&1
	then
		RUNC_WHY="runc cannot run a container here: $(tr '\n' ' ' <"$d/out")"
		export RUNC_WHY
	fi
	runc delete -f "usher-probe-$$" >/dev/null 2>&1 || true
}

# make_rootfs DIR: busybox with its applets, usher at /usher, root and
# nobody in /etc/passwd and /etc/group, and nothing else.
make_rootfs() {
	local a
	mkdir -p "$1/bin" "$1/etc" "$1/proc" "$1/tmp"
	chmod 1777 "$1/tmp"
	cp /bin/busybox "$1/bin/"
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] || ln -s busybox "$1/bin/$a"
	done
	cp "$USHER_STATIC" "$1/usher"
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
	    'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' \
	    >"$1/etc/passwd"
	printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$1/etc/group"
}

setup() {
	[ -z "$RUNC_WHY" ] || skip "$RUNC_WHY"
	ID=usher-test-$$-$BATS_TEST_NUMBER
	B=$T/bundle
	OUT=$T/out
	mkdir -p "$B" "$OUT"
	chmod 1777 "$OUT"
	cp -a "$BATS_FILE_TMPDIR/rootfs" "$B/rootfs"
	cp "$BATS_FILE_TMPDIR/config.json" "$B/config.json"
}

teardown() {
	[ -z "${ID:-}" ] || runc delete -f "$ID" >/dev/null 2>&1 || true
	kill_tracked
}

README=$BATS_TEST_DIRNAME/../README.md
MANPAGE=$BATS_TEST_DIRNAME/../man1/usher.1

# recipe_argv TEXT: the JSON array on the README line holding TEXT.
recipe_argv() {
	grep -F -- "$1" "$README" | head -1 | sed 's/^[^[]*//' | jq -r '.[]'
}

# seconds DURATION: a duration of the recipes (Ns) in seconds.
seconds() {
	[[ $1 =~ ^([0-9]+)s$ ]] || fail "not a duration in seconds: $1"
	echo "${BASH_REMATCH[1]}"
}

# last_kill ARG...: when usher's last KILL comes after the runtime's TERM
# for the argv of a recipe: the -D hold of TERM, then -k (10 s without).
last_kill() {
	local hold=0 k=10
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		case $1 in
		-D) [[ $2 == TERM:* ]] && hold=$(seconds "${2#TERM:}"); shift ;;
		-k) k=$(seconds "$2"); shift ;;
		esac
		shift
	done
	echo $((hold + k))
}

# app_script: /app, a stand-in for the service: it records each TERM and
# exits at the first, and says when it is ready.
app_script() {
	cat >"$B/rootfs/app" <<-'EOF'
	#!/bin/sh
	trap 'echo TERM >>/out/sig; exit 0' TERM
	echo "$*" >/out/args
	echo ready >/out/ready
	while :; do sleep 1 & wait; done
	EOF
	chmod 755 "$B/rootfs/app"
}

# config ARG...: the container runs ARG... as its process, with $OUT at
# /out and Docker's capabilities.
config() {
	local args
	args=$(for a in "$@"; do printf '%s' "$a" | jq -Rs .; done | jq -s .)
	jq --argjson args "$args" --argjson caps "$CAPS" --arg out "$OUT" '
	    .process.terminal = false | .process.args = $args |
	    .root.readonly = false |
	    .process.capabilities.bounding = $caps |
	    .process.capabilities.effective = $caps |
	    .process.capabilities.permitted = $caps |
	    .mounts += [{ destination: "/out", type: "bind", source: $out,
		options: ["rbind", "rw"] }]' "$B/config.json" >"$B/c"
	mv "$B/c" "$B/config.json"
}

# crun ARG...: run the container in the foreground; $status, $output.
crun() {
	config "$@"
	run timeout 30 runc run -b "$B" "$ID"
}

# cstart ARG...: run the container in the background; $cpid is runc's.
cstart() {
	config "$@"
	start_bg timeout 60 runc run -b "$B" "$ID" >"$T/stdout" 2>"$T/stderr"
	cpid=$!
}

@test "container: the static usher's --version runs in an empty rootfs" {
	rm -rf "$B/rootfs"
	mkdir -p "$B/rootfs"
	cp "$USHER_STATIC" "$B/rootfs/usher"
	crun /usher --version
	assert_equal "$status" 0
	assert_equal "$output" "usher 0.1.0"
	# No interpreter, no shared library: nothing to find in the image.
	run readelf -lW "$USHER_STATIC"
	refute_output --partial INTERP
	run readelf -dW "$USHER_STATIC"
	refute_output --partial NEEDED
}

@test "container: usher as PID 1 mirrors the exit status: 7, and 143 for TERM" {
	crun /usher -- sh -c 'echo "$PPID $$" >/out/pids; exit 7'
	assert_equal "$status" 7
	# usher is PID 1, its command a child of it.
	assert_equal "$(cut -d' ' -f1 "$OUT/pids")" 1
	crun /usher -- sh -c 'kill -TERM $$'
	assert_equal "$status" 143
}

@test "container: runc kill TERM reaches the command exactly once" {
	cstart /usher -- sh -c 'trap "echo TERM >>/out/sig" TERM
	    trap "echo USR1 >>/out/sig; exit 0" USR1
	    echo ready >/out/ready
	    while :; do sleep 1 & wait; done'
	wait_file "$OUT/ready" 20
	runc kill "$ID" TERM
	wait_line "$OUT/sig" TERM
	# Signals reach the command in order: a second TERM would come
	# before the USR1 that ends it.
	runc kill "$ID" USR1
	reap "$cpid"
	assert_equal "$status" 0
	assert_equal "$(cat "$OUT/sig")" "$(printf 'TERM\nUSR1')"
}

@test "container: 20 orphans that exit leave no zombie behind PID 1" {
	# Each inner sh leaves a sleep behind and exits: the sleep's parent
	# becomes PID 1, usher, which must reap it.  /proc keeps a zombie's
	# entry, so "no (sleep) left in /proc" means each was reaped.
	crun /usher -- sh -c 'i=0
	    while [ $i -lt 20 ]; do
		sh -c "sleep 0.3 & echo \$! >>/out/orphans"; i=$((i + 1))
	    done
	    n=1; k=0
	    while [ $k -lt 1000 ]; do
		n=$(grep -l "(sleep)" /proc/[0-9]*/stat 2>/dev/null | wc -l)
		[ "$n" = 0 ] && break
		sleep 0.01; k=$((k + 1))
	    done
	    echo "$n" >/out/left'
	assert_equal "$status" 0
	assert_equal "$(wc -l <"$OUT/orphans")" 20
	assert_equal "$(cat "$OUT/left")" 0
}

@test "container: --orphans kill -k 1s ends a TERM-ignoring leftover within 3 s" {
	cstart /usher --orphans kill -k 1s -- sh -c '
	    sh -c "trap \"\" TERM; echo \$\$ >/out/left; exec sleep 100" &
	    while [ ! -s /out/left ]; do sleep 0.01; done
	    echo ready >/out/ready; wait'
	wait_file "$OUT/ready" 20
	local t0 t1
	t0=$(now_ms)
	runc kill "$ID" TERM
	reap "$cpid"
	t1=$(now_ms)
	assert_equal "$status" 143
	[ $((t1 - t0)) -lt 3000 ] ||
	    fail "the container ended $((t1 - t0)) ms after the TERM"
	# Not before the grace: the leftover ignored TERM, KILL ended it.
	[ $((t1 - t0)) -ge 900 ] ||
	    fail "the container ended $((t1 - t0)) ms after the TERM: before -k"
}

@test "container: -u nobody resolves from the image's /etc/passwd" {
	crun /usher -u nobody -- sh -c 'id -u >/out/uid; id -g >/out/gid'
	assert_equal "$status" 0
	assert_equal "$(cat "$OUT/uid")" 65534
	assert_equal "$(cat "$OUT/gid")" 65534
	crun /usher -u nosuchuser -- true
	assert_equal "$status" 125
	assert_output --partial "usher: -u: unknown user 'nosuchuser'"
}

@test "container: the command gets no fd of usher's" {
	cstart /usher -- sh -c 'echo ready >/out/ready; exec sleep 100'
	wait_file "$OUT/ready" 20
	local pids cmd
	# runc ps: the container's processes by their pids out here; the
	# one that is not usher (PID 1 inside) is the command.
	pids=$(runc ps --format json "$ID" | jq -r '.[]')
	for p in $pids; do
		[ "$(sed -n 's/^NSpid:.*[[:space:]]//p' "/proc/$p/status")" = 1 ] ||
		    cmd=$p
	done
	[ -n "${cmd:-}" ] || fail "no command among the container's pids: $pids"
	assert_equal "$(cat "/proc/$cmd/comm")" sleep
	run ls "/proc/$cmd/fd"
	assert_equal "$(tr '\n' ' ' <<<"$output")" "0 1 2 "
}

@test "README: the Dockerfile's usher-static is what make static builds, and its ENTRYPOINT fits docker stop's 10 s" {
	local argv src t0 t1
	src=$(grep -E '^ +COPY .* /usher$' "$README" | awk '{ print $2 }')
	assert_equal "$src" build/usher-static
	assert_equal "$(basename "$USHER_STATIC")" usher-static
	mapfile -t argv < <(recipe_argv 'ENTRYPOINT ["/usher"')
	assert_equal "${argv[0]}" /usher
	# The man page's EXAMPLES give the same entrypoint.
	assert_equal "$(grep -F 'ENTRYPOINT ["/usher"' "$MANPAGE" |
	    sed 's/^[^[]*//' | jq -r '.[]')" "$(printf '%s\n' "${argv[@]}")"
	[ "$(last_kill "${argv[@]:1}")" -lt 10 ] ||
	    fail "the last KILL comes $(last_kill "${argv[@]:1}") s after TERM"
	app_script
	cstart "${argv[@]}"
	wait_file "$OUT/ready" 20
	assert_equal "$(cat "$OUT/args")" ""
	t0=$(now_ms)
	runc kill "$ID" TERM
	reap "$cpid"
	t1=$(now_ms)
	assert_equal "$status" 0
	assert_equal "$(cat "$OUT/sig")" TERM
	# -D held the TERM for its 2 s, then the app took it and ended.
	[ $((t1 - t0)) -ge 1900 ] && [ $((t1 - t0)) -lt 10000 ] ||
	    fail "the container ended $((t1 - t0)) ms after the TERM"
}

@test "README: the Kubernetes command fits the 30 s grace period, and runs" {
	local argv i
	mapfile -t argv < <(recipe_argv 'command: ["/usher"')
	assert_equal "${argv[0]}" /usher
	[ "$(last_kill "${argv[@]:1}")" -lt 30 ] ||
	    fail "the last KILL comes $(last_kill "${argv[@]:1}") s after TERM"
	# Run it with -D's hold shortened: the rest as written.
	for i in "${!argv[@]}"; do
		[[ ${argv[$i]} == TERM:* ]] && argv[i]=TERM:0.3s
	done
	app_script
	cstart "${argv[@]}"
	wait_file "$OUT/ready" 20
	assert_equal "$(cat "$OUT/args")" --serve
	runc kill "$ID" TERM
	reap "$cpid"
	assert_equal "$status" 0
	assert_equal "$(cat "$OUT/sig")" TERM
}
