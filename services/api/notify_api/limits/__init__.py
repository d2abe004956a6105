"""Notify's sending limits, shared by every API instance through Redis: a per-key-type token bucket
(`rate_limit.py`) and per-channel daily counts (`daily_limits.py`). Both fail open when Redis is down."""
