"""Choosing k, fitting the K-Means pipeline, measuring its stability, persisting and serving it."""
