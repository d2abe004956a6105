"""Test fixtures shared by every service suite: throwaway databases, SQS emulator, processes."""
