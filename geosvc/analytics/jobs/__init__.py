"""Jobs that read, compute and write: a whole analysis run, and the live clusters kept current."""
