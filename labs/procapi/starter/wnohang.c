    /* TODO(lab procapi): WNOHANG. A child lives but none has exited yet:
     * with WNOHANG in options, return 0 at once instead of sleeping.
     * Until then waitpid ignores WNOHANG and waits. */
