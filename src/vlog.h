/*
 * vlog.h: what usher says besides its errors.  vlog() is -v, "say what
 * usher does"; vlog_warn() always speaks.  Both write one line on stderr,
 * or, once usher has detached (-d, where stderr is /dev/null), to syslog
 * (LOG_DAEMON, ident "usher"): the caller says which.
 */
#ifndef VLOG_H
#define VLOG_H

#include <stdarg.h>
#include <stdbool.h>

#include "usher.h"

void	vlog(const struct usher_config *, bool, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	vlog_warn(bool, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	vlog_va(const struct usher_config *, bool, const char *, va_list)
	    __attribute__((format(printf, 3, 0)));

#endif /* VLOG_H */
