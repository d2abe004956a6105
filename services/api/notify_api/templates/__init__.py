"""The templates domain as the public API shows it: reading, serialising and previewing templates."""
