/* errno and the messages strerror() gives for each code in kernel/errno.h. */
#include "kernel/types.h"
#include "user/user.h"

int errno;

static const char *const messages[ERRNO_MAX + 1] = {
    [EPERM] = "operation not permitted",
    [ENOENT] = "no such file or directory",
    [ESRCH] = "no such process",
    [EINTR] = "interrupted",
    [EIO] = "input/output error",
    [E2BIG] = "argument list too long",
    [ENOEXEC] = "exec format error",
    [EBADF] = "bad file descriptor",
    [ECHILD] = "no child processes",
    [EAGAIN] = "resource temporarily unavailable",
    [ENOMEM] = "out of memory",
    [EFAULT] = "bad address",
    [EBUSY] = "device or resource busy",
    [EEXIST] = "file exists",
    [EXDEV] = "cross-device link",
    [ENODEV] = "no such device",
    [ENOTDIR] = "not a directory",
    [EISDIR] = "is a directory",
    [EINVAL] = "invalid argument",
    [ENFILE] = "too many open files in system",
    [EMFILE] = "too many open files",
    [ETXTBSY] = "text file busy",
    [EFBIG] = "file too large",
    [ENOSPC] = "no space left on device",
    [ESPIPE] = "illegal seek",
    [EMLINK] = "too many links",
    [EPIPE] = "broken pipe",
    [ENAMETOOLONG] = "file name too long",
    [ENOSYS] = "function not implemented",
    [ENOTEMPTY] = "directory not empty",
};

const char *strerror(int code) {
  // The table has holes: numbers errno.h leaves unused.
  if (code < 0 || code > ERRNO_MAX || messages[code] == 0)
    return "unknown error";
  return messages[code];
}
