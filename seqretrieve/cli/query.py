"""TODO(owner): the `query` command group."""


def register(app):
    """Add this group's commands to the root app."""
