  /* TODO(lab lazy): every page of the program is read now (load_now in
   * kernel/mm/uvm.c); make exec lazy and remove this. */
  int as_load_now(struct addrspace * as);
  if (err >= 0) {
    int loaded = as_load_now(as);
    if (loaded < 0)
      err = loaded;
  }
