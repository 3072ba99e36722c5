"""Make targets' scripts; a package so that tests can import their helpers."""
