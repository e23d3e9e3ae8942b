"""Resource allocations against need: planned and delivered, and the gaps. Pure."""
