      /* TODO(lab syscall): .freemem (bytes nobody has been promised yet) and
       * .nproc (processes in use); see labs/syscall/README.md. */
