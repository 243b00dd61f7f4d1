"""npdesk.domain."""
