"""The API's service layer: loading and verifying the model, scoring, CSV handling, limits.

Routers stay thin; everything that can be tested without HTTP lives here.
"""
