    # (fptest needs preemption, which is this lab's work: test sched_fp)
    run_on_debug_kernel(t, "-q", "proctest", "exectest")
