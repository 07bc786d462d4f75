"""Modal screens: each asks one thing and dismisses with the answer; the app acts on it."""
