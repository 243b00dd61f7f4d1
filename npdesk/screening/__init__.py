"""npdesk.screening."""
