"""Runs the whole stack locally (`make run`): embedded PostgreSQL, SQS emulator, every process."""
