  // TODO(lab fs): file blocks from NDIRECT + NINDIRECT on are reached
  // through the doubly-indirect block addrs[DINDIRECT_SLOT]: it points at
  // NINDIRECT singly-indirect blocks, each mapping NINDIRECT file blocks.
  // Find (allocating if alloc) the singly-indirect block for bn, set *leaf
  // and *first_bn, and return -EFBIG past MAXFILE.
  return -EFBIG;
