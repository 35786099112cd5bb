"""Aggregate stage: published measures and breakdowns, with small-cell suppression."""
