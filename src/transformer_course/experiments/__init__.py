"""Experiment code of the chapters that is too long for a notebook cell."""
