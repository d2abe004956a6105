"""notify scheduler: periodic jobs under one leader."""
