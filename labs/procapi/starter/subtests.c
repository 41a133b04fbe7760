  {"waitpid", test_waitpid, ON_REQUEST}, {"kill", test_kill, ON_REQUEST},
  {"suspend", test_suspend, ON_REQUEST}, {"badpids", test_badpids, ON_REQUEST},
  {"getprocs", test_getprocs, ON_REQUEST},
