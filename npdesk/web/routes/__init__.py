"""Every router of the web app, in the order they are mounted."""
