"""Models of the emulation app arrive with its issue; the app is installed so its pages can mount."""
