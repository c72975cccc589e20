/*
 * fuzz_signame.c: signal names both ways.  Properties: the name of every
 * signal parses back to it (checked for all of them once, then for every
 * number the input holds); a name that parses is a signal, 1 to SIGRTMAX,
 * written in letters, digits, '+' and '-' only (no blank, no sign before a
 * number); a number outside the signals is written as itself in decimal
 * and never parses back as a signal.
 */
#include <signal.h>
#include <string.h>

#include "fuzz.h"
#include "signame.h"

int	LLVMFuzzerInitialize(int *, char ***);

static void
round_trip(int n)
{
	char	buf[SIGNAME_MAX], dec[16];
	int	got;

	got = signame_parse(signame_str(n, buf, sizeof(buf)));
	if (n >= 1 && n <= SIGRTMAX) {
		check(got == n);
		return;
	}
	snprintf(dec, sizeof(dec), "%d", n);
	check(strcmp(buf, dec) == 0);
	check(got == -1);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int	n;

	(void)argc;
	(void)argv;
	for (n = -1; n <= SIGRTMAX + 1; n++)
		round_trip(n);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s = fuzz_str(data, size);
	int	 sig, n;

	if ((sig = signame_parse(s)) != -1) {
		check(sig >= 1 && sig <= SIGRTMAX);
		check(strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789+-") == strlen(s));
		if (s[0] >= '0' && s[0] <= '9')
			check(strspn(s, "0123456789") == strlen(s));
		round_trip(sig);
	}
	if (size >= sizeof(n)) {
		memcpy(&n, data, sizeof(n));
		round_trip(n);
	}
	free(s);
	return 0;
}
