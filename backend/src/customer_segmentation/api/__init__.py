"""The HTTP API: an app factory (:func:`create_app`), one router per resource, pydantic schemas
named by role, and a small service layer that scores customers with the pickle-free serving model.

Import :func:`customer_segmentation.api.app.create_app`; nothing here runs at import time.
"""
