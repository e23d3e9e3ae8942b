"""The municipal scoreboard: how a municipality answers its residents' requests. Pure."""
