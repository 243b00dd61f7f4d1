"""npdesk.security."""
