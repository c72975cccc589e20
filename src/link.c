/*
 * link.c: one status byte and one message line on a pipe, each way.  No
 * stdio, no allocation: the forked child sends with it.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "link.h"

/*
 * Send status (0-255) and msg on fd in one write.  Returns 0, or -1 with
 * errno set (EPIPE: the reader is gone).  Cutting a line is errline()'s
 * work: one built by it in LINK_MSG_MAX bytes goes whole.  Should a longer
 * message come, its head goes, and its last byte (the newline), so that
 * the reader still gets one line.
 */
int
link_send(int fd, int status, const char *msg)
{
	char	word[LINK_MSG_MAX];
	size_t	len, keep, tail;
	ssize_t	n;

	word[0] = (char)status;
	len = strlen(msg);
	keep = len < sizeof(word) - 1 ? len : sizeof(word) - 1;
	tail = keep < len && keep > 0 ? 1 : 0;
	memcpy(word + 1, msg, keep - tail);
	memcpy(word + 1 + keep - tail, msg + len - tail, tail);
	do {
		n = write(fd, word, 1 + keep);
	} while (n == -1 && errno == EINTR);
	return n == -1 ? -1 : 0;
}

/*
 * Read one word from fd.  Returns 1 with *status and msg (NUL-terminated,
 * cut to size) when a word came, 0 at end of file (exec succeeded, or the
 * sender ended without a word), -1 with errno set when nothing can be read
 * (EAGAIN: nothing yet, on a non-blocking fd).
 */
int
link_recv(int fd, int *status, char *msg, size_t size)
{
	char	word[LINK_MSG_MAX];
	ssize_t	n;
	size_t	len;

	do {
		n = read(fd, word, sizeof(word));
	} while (n == -1 && errno == EINTR);
	if (n <= 0)
		return (int)n;
	*status = (unsigned char)word[0];
	if (size == 0)
		return 1;
	len = (size_t)n - 1 < size - 1 ? (size_t)n - 1 : size - 1;
	memcpy(msg, word + 1, len);
	msg[len] = '\0';
	return 1;
}
