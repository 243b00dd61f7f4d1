"""npdesk: a nonproliferation cooperation desk."""

__version__ = "0.1.0"
