"""Replaying a day through the real core: the scenario's format and the replay itself (psoas
simulate)."""
