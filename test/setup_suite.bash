# setup_suite.bash: runs once before the whole suite.  The binaries are
# built by make (make check, make sanitize); this only makes sure they are
# there, and fails loudly if not, rather than letting every test fail.

setup_suite() {
	local h
	[ -x "${USHER:-}" ] || {
		echo "setup_suite: USHER='${USHER:-}' is not an executable; run make check" >&2
		return 1
	}
	for h in "$(dirname "${BASH_SOURCE[0]}")"/helpers/*.c; do
		h=$(basename "$h" .c)
		[ -x "${HELPERS:-}/$h" ] || {
			echo "setup_suite: ${HELPERS:-}/$h is missing; run make helpers" >&2
			return 1
		}
	done
	# The tests run usher and the helpers as other users too (-u nobody,
	# setpriv), but a checkout may sit where only root can reach, as in
	# /root: they get copies that every user can run.
	local bin=$BATS_RUN_TMPDIR/bin
	mkdir -p "$bin/helpers"
	chmod o+x "$BATS_RUN_TMPDIR"
	cp "$USHER" "$bin/usher"
	for h in "$(dirname "${BASH_SOURCE[0]}")"/helpers/*.c; do
		cp "$HELPERS/$(basename "$h" .c)" "$bin/helpers/"
	done
	chmod -R a+rX "$bin"
	export USHER=$bin/usher HELPERS=$bin/helpers
}
