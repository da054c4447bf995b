"""Qt item models: tables over the services, fetched page by page."""
