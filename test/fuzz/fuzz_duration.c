/*
 * fuzz_duration.c: duration_parse() on any string.  Properties: a parsed
 * duration is normalised (0 <= tv_nsec < 1e9), never negative, and never
 * beyond the cap of ten years (so it cannot wrap a time_t or a deadline);
 * one with a digit other than 0 is never zero, which -t would take for
 * "no timeout".
 */
#include <string.h>
#include <time.h>

#include "duration.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct timespec	 ts;
	char		*s = fuzz_str(data, size);

	if (duration_parse(s, &ts) == 0) {
		check(ts.tv_sec >= 0);
		check(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000L);
		check(ts.tv_sec <= 3650L * 86400L);
		if (strpbrk(s, "123456789") != NULL)
			check(ts.tv_sec != 0 || ts.tv_nsec != 0);
	}
	free(s);
	return 0;
}
