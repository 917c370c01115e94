"""TODO(owner): the `demo` command group."""


def register(app):
    """Add this group's commands to the root app."""
