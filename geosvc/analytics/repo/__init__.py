"""The analytics' database I/O: inputs read as frames, runs and their results stored and
read back."""
