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
}
