"""Models of the dataservice app."""
