  // efbig, big and full need files larger than NDIRECT + NINDIRECT blocks:
  // they run only when named (the fs lab's tests run efbig and big).
  {"efbig", test_efbig, 1},
  {"nfile", test_nfile},
  {"big", test_big, 1},
  {"full", test_full, 1},
