/*
 * noseccomp: a test helper that runs a command on which installing a
 * seccomp filter fails, as on a kernel built without seccomp filters.
 *
 * noseccomp COMMAND [ARG]...
 *
 * It installs a filter of its own that answers seccomp(2) and
 * prctl(PR_SET_SECCOMP) with EINVAL and allows everything else, then
 * execs COMMAND.  It must run with CAP_SYS_ADMIN (as root), since it does
 * not set no_new_privs: the command must see the world as it would
 * without the helper.  A test tool, not a guard: it matches the native
 * system call numbers only.  It stands alone, without usher's library.
 */

#include <sys/prctl.h>
#include <sys/syscall.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <err.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

#define EXIT_HELPER	97

#define LD_ABS(off)	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define JEQ(k, t, f)	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define RET(k)		BPF_STMT(BPF_RET | BPF_K, (k))

int
main(int argc, char **argv)
{
	struct sock_filter insns[] = {
		/* 0 */ LD_ABS(offsetof(struct seccomp_data, nr)),
		/* 1 */ JEQ(__NR_seccomp, 4, 0),		/* 6 */
		/* 2 */ JEQ(__NR_prctl, 0, 2),			/* else 5 */
		/* 3 */ LD_ABS(offsetof(struct seccomp_data, args[0])),
		/* 4 */ JEQ(PR_SET_SECCOMP, 1, 0),		/* 6 */
		/* 5 */ RET(SECCOMP_RET_ALLOW),
		/* 6 */ RET(SECCOMP_RET_ERRNO | EINVAL),
	};
	struct sock_fprog prog = {
		.len = sizeof(insns) / sizeof(insns[0]),
		.filter = insns,
	};

	if (argc < 2) {
		fprintf(stderr, "usage: noseccomp COMMAND [ARG]...\n");
		return EXIT_HELPER;
	}
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == -1)
		err(EXIT_HELPER, "seccomp");
	execvp(argv[1], argv + 1);
	err(errno == ENOENT ? 127 : 126, "%s", argv[1]);
}
