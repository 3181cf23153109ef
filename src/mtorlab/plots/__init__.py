"""Static plots (matplotlib): time courses and dose-response curves with units on the axes."""

from mtorlab.plots._plots import dose_response, plot, png_bytes, readout_unit, time_courses

__all__ = ["dose_response", "plot", "png_bytes", "readout_unit", "time_courses"]
