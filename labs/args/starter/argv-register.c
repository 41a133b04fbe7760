  p->tf.regs[REG_A1] = 0; /* argv: TODO(lab args): where push_args put it */
