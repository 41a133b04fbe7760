  /* TODO(lab lazy): the new heap pages are mapped now; see load_now. */
  if (n > 0 && !lazy && load_now(as, heap, old_top, new_top) < 0) {
    shrink_heap(as, heap, new_top, old_top);
    heap->end = MAX(old_top, heap->start + PGSIZE);
    as->brk = old;
    return -ENOMEM;
  }
