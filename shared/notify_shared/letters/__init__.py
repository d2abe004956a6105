"""Letters: rendering templated letters to PDF, validating precompiled PDFs, storing PDFs, postage."""
