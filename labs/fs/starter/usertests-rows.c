    {"many"}, {"concurrent"}, {"nfile"}}},
