"""psoas: counts the time you really sit and prompts a hip-flexor stretch when it is due."""

__version__ = "0.1.0"
APP_NAME = "psoas"
