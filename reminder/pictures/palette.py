"""psoas's colours, one palette for the tray's ring, the stretch pictures and the week's chart."""

GREEN = (46, 160, 67)
AMBER = (230, 150, 20)
RED = (214, 52, 52)
BLUE = (60, 120, 215)
GREY = (130, 130, 130)
PURPLE = (140, 80, 200)
TRACK = (70, 70, 70)
BACKGROUND = (250, 250, 250)
