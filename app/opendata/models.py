"""No tables: the open-data export only reads the other domains' models.

The module exists because every domain package exposes a `models` module (app.import_models
imports them all so that the metadata and Alembic see the whole schema).
"""
