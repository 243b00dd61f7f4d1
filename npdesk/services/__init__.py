"""npdesk.services."""
