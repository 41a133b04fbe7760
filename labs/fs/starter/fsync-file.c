  // TODO(lab fs): fsync must not return before the file's completed writes
  // are on disk: they sit in the log's open transaction (log.c) until a
  // commit writes them.
  return 0;
