# setup_suite.bash: runs once before the whole suite.  The binaries are
# built by make (make check, make sanitize); this only makes sure they are
# there, and fails loudly if not, rather than letting every test fail.
# Which helpers there are is the Makefile's to say (HELPERS, one per
# test/helpers/*.c): the suite takes every file of $HELPERS.

setup_suite() {
	[ -x "${USHER:-}" ] || {
		echo "setup_suite: USHER='${USHER:-}' is not an executable; run make check" >&2
		return 1
	}
	[ -x "${HELPERS:-}/probe" ] || {
		echo "setup_suite: HELPERS='${HELPERS:-}' holds no probe; run make helpers" >&2
		return 1
	}
	# The tests run usher and the helpers as other users too (-u nobody,
	# setpriv), but a checkout may sit where only root can reach, as in
	# /root: they get copies that every user can run.
	local bin=$BATS_RUN_TMPDIR/bin
	mkdir -p "$bin/helpers"
	chmod o+x "$BATS_RUN_TMPDIR"
	cp "$USHER" "$bin/usher"
	cp "$HELPERS"/* "$bin/helpers/"
	chmod -R a+rX "$bin"
	export USHER=$bin/usher HELPERS=$bin/helpers
}
