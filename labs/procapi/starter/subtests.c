  {"waitpid", test_waitpid, SUBTEST_ON_REQUEST}, {"kill", test_kill, SUBTEST_ON_REQUEST},
  {"suspend", test_suspend, SUBTEST_ON_REQUEST}, {"badpids", test_badpids, SUBTEST_ON_REQUEST},
  {"getprocs", test_getprocs, SUBTEST_ON_REQUEST},
