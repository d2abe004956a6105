"""Send a file by email: validate a `prepare_upload` value, seal and store the file, link to it, serve it."""
