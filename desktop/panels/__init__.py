"""The knob panels on the left of the window."""
