"""The pictures: the stretches drawn from their poses and kept, the week's chart, one palette."""
