"""The needs index: survey and census baselines, incident rates, components and the score. Pure."""
