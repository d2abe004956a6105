"""The notifications domain: what may be sent, how it is stored, how it is shown."""
