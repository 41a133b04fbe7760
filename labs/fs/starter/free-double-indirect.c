    // TODO(lab fs): the doubly-indirect block's tree is two levels deep.
    int depth = i == INDIRECT_SLOT ? 1 : 0;
