/* TODO(lab procapi): stop process pid (SUSPENDED) until proc_resume. See
 * the state machine at the top of this file and the fields
 * suspend_requested and suspended_blocked in proc.h. */
int proc_suspend(int pid) {
  (void)pid;
  return -ENOSYS;
}

/* TODO(lab procapi): let a suspended process go on where it stopped. */
int proc_resume(int pid) {
  (void)pid;
  return -ENOSYS;
}
