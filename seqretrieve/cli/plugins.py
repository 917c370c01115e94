"""TODO(owner): the `plugins` command group."""


def register(app):
    """Add this group's commands to the root app."""
