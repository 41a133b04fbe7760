   {{"sum"}, {"args"}, {"ret7"}, {"e2big"}, {"faults"}, {"nullderef"},
