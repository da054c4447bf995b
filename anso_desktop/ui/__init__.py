"""The Qt user interface. Reads and writes only through the services."""
