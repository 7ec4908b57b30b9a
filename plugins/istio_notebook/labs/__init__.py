"""labs package."""
