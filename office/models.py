"""Models of the office app arrive with its issue; the app is installed so its pages can mount."""
