"""The stretches and routines psoas knows: ``model`` (what they are), ``pose`` (the figure of each),
``loader`` (the checked TOML file they come from) and ``text`` (how the terminal shows them)."""
