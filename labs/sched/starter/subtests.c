  {"fair", test_fair, SUBTEST_ON_REQUEST}, {"preempt", test_preempt, SUBTEST_ON_REQUEST},
  {"csw", test_csw, SUBTEST_ON_REQUEST},
