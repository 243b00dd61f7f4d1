"""npdesk.store."""
