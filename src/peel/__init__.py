"""peel: police data into the evidence a Police and Crime Commissioner needs."""

__version__ = "0.1.0"
