  // TODO(lab syscall): remember the mask (all 64 bits of argument 0) in the
  // process, for the dispatcher to test (labs/syscall/README.md).
  return -ENOSYS;
