#!/usr/bin/env bats
# --report FILE: one JSON object on exit (SPEC §6a), parsed here by jq.

load test_helper

@test "--report for a command that exits" {
	run "$USHER" --report "$T/r.json" -- sh -c 'exit 3'
	assert_equal "$status" 3
	run jq -e '.exit_code == 3 and .signal == null and .status == 3 and
	    .timed_out == false and .restarts == 0 and
	    .argv == ["sh", "-c", "exit 3"] and (.pid | type) == "number" and
	    (.usher_pid | type) == "number" and .pid != .usher_pid and
	    .wall_s >= 0 and .user_s >= 0 and .sys_s >= 0 and .max_rss_kb > 0 and
	    (.start | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\\.[0-9]{3}Z$")) and
	    .end >= .start' "$T/r.json"
	assert_success
	# written atomically: no temporary file is left behind
	assert_equal "$(ls "$T")" r.json
}

@test "--report for a command killed by a signal" {
	run "$USHER" --report "$T/r.json" -- sh -c 'kill -TERM $$'
	assert_equal "$status" 143
	run jq -e '.exit_code == null and .signal == "TERM" and .status == 143' \
	    "$T/r.json"
	assert_success
	run "$USHER" --exit-code-only --report "$T/r2.json" -- "$PROBE" -k KILL
	assert_equal "$status" 137
	run jq -e '.signal == "KILL" and .status == 137' "$T/r2.json"
	assert_success
}

@test "--report for a timeout" {
	run "$USHER" -t 0.2s --report "$T/r.json" -- sleep 10
	assert_equal "$status" 124
	run jq -e '.timed_out == true and .status == 124 and .signal == "TERM" and
	    .wall_s >= 0.15' "$T/r.json"
	assert_success
}

@test "--report for a command that is not found" {
	run -127 "$USHER" --report "$T/r.json" -- no-such-command-here
	run jq -e '.status == 127' "$T/r.json"
	assert_success
}

@test "--report escapes any argv: quotes, newlines, non-UTF-8 bytes" {
	local weird=$'say "hi"\\\n\ttab'
	local bad=$'a\xffb\xc3'
	run "$USHER" --report "$T/r.json" -- true "$weird" "$bad" "héllo 日本"
	assert_equal "$status" 0
	run jq -e --arg w "$weird" '.argv[1] == $w and .argv[2] == "a\ufffdb\ufffd" and
	    .argv[3] == "héllo 日本"' "$T/r.json"
	assert_success
}

@test "--report is relative to the caller's cwd, also with -C" {
	mkdir "$T/sub"
	cd "$T"
	run "$USHER" -C sub --report r.json -- true
	assert_equal "$status" 0
	assert_file_exists "$T/r.json"
	assert_file_not_exists "$T/sub/r.json"
}

@test "a report that cannot be written is a warning; the status stays" {
	run_usher --report "$T/nodir/r.json" -- sh -c 'exit 5'
	assert_equal "$status" 5
	assert_equal "$stderr" "usher: --report: $T/nodir/r.json: No such file or directory"
}
