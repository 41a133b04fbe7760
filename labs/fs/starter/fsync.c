  // TODO(lab fs): fsync() must not return before everything written so far
  // is committed, even while other processes are inside an operation
  // (wal.outstanding > 0), when the transaction cannot commit at once.
  // This version commits only a transaction nobody is in, and otherwise
  // leaves the work to the flusher, up to a commit interval later.
  while (wal.committing)
    wait_for_log();
  if (!transaction_empty() && wal.outstanding == 0)
    run_commit();
