"""The top layer: wiring, the command line, the daemon, the web app."""
