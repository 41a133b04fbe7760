        # (no background job here: the shell collects those with waitpid
        # WNOHANG, this lab's work; test procapi_shell_jobs)
        r.send("\x10")
