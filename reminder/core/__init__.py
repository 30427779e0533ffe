"""The pure core of psoas: the sitting clock, the routine runner, working hours, the time base,
events, commands and per-day figures.

Nothing here reads a clock, a device or a file: it is told the time, the idle seconds and what the
user asked, and answers with what happened and when to look again. Its modules import only the
standard library's pure parts and each other (a test reads the import graph to keep it so).
"""
