"""npdesk.web."""
