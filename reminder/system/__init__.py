"""What psoas needs from the system beneath its adapters: the real clock and timers, tasks on the
loop watched by one supervisor, blocking calls made off the loop under a deadline, the C library."""
