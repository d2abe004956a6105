"""Provider clients, one file per provider behind the interface in `base`."""
