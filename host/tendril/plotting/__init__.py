"""Plots of the log: pure data preparation (buckets) apart from the drawing."""
