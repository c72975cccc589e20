/*
 * run.h: prepare, launch, supervise, finish: the one caller of every
 * other module.  run() never returns.
 */
#ifndef RUN_H
#define RUN_H

#include "usher.h"

_Noreturn void	run(const struct usher_config *);

#endif /* RUN_H */
