"""Predictive lead scoring: a calibrated model per scope trained on closed leads, scores
0-100 with a grade, a trend and reasons in plain words, and honest evaluation figures.

The learning code (fields, features, signals, learning, metrics, explain, offline) is
pure: no database. The product's tables, services and lead hooks build on it.
"""
