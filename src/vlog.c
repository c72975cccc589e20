/*
 * vlog.c: verbose messages.  Quiet unless -v; never on stdout.
 */
#include <stdarg.h>
#include <stdio.h>

#include "vlog.h"

void
vlog(const struct usher_config *cfg, const char *fmt, ...)
{
	va_list	ap;

	if (!cfg->verbose)
		return;
	va_start(ap, fmt);
	fputs("usher: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}
