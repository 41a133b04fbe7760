  // efbig, big and full need files larger than NDIRECT + NINDIRECT blocks:
  // they run only when named (the fs lab's tests run efbig and big).
  {"efbig", test_efbig, SUBTEST_ON_REQUEST},
  {"nfile", test_nfile},
  {"big", test_big, SUBTEST_ON_REQUEST},
  {"full", test_full, SUBTEST_ON_REQUEST},
