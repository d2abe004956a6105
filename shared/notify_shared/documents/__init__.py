"""Files sent by email (Notify's "send a file by email"): sealed with a per-document key, kept in a store."""
