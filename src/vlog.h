/*
 * vlog.h: what usher says besides its errors.  vlog() is -v, "say what
 * usher does"; vlog_warn() always speaks.  Both write one line on stderr,
 * or to syslog (LOG_DAEMON, ident "usher") in daemon mode, where stderr is
 * /dev/null.
 */
#ifndef VLOG_H
#define VLOG_H

#include "usher.h"

void	vlog(const struct usher_config *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	vlog_warn(const struct usher_config *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

#endif /* VLOG_H */
