"""The archive: what a backend provides (the interface), and the backends."""
