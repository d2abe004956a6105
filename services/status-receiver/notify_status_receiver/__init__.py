"""notify status receiver: provider receipts, inbound texts and service callbacks."""
