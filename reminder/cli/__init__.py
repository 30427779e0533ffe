"""The psoas command line: the parser and the commands (main), those that talk to the running psoas
(remote), those that read the history (history), a routine in the terminal (routine)."""
