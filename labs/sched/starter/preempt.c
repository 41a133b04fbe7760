  /* TODO(lab sched): preemption. A process that has run for its whole
   * quantum (p->quantum_end_ns has passed) must give up the hart. */
