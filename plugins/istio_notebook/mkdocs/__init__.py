"""mkdocs package."""
