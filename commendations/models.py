"""Models of the commendations app arrive with its issue; the app is installed so its pages can mount."""
