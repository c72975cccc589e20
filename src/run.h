/*
 * run.h: the order of a run: --status and --stop; else prepare, lock,
 * detach or exec in place, hand over to supervise.c (which owns the run's
 * state and its loop), and finish from that state.  run() never returns.
 */
#ifndef RUN_H
#define RUN_H

#include "usher.h"

_Noreturn void	run(const struct usher_config *);

#endif /* RUN_H */
