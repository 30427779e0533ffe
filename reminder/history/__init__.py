"""The history: the SQLite store, the writer that keeps the daemon from waiting on it, and the
journal for what it cannot take at stop."""
