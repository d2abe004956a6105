"""notify public v2 API and admin API."""
