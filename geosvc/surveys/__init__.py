"""Household survey batches from community development workers."""
