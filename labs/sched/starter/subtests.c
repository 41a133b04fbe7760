  {"fair", test_fair, ON_REQUEST}, {"preempt", test_preempt, ON_REQUEST},
  {"csw", test_csw, ON_REQUEST},
