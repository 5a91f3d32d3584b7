"""An HTTP service over the library, for district systems not written in Python.

Optional: needs the `service` extra (FastAPI and uvicorn). Importing this package imports
neither; `app.create_app` and the `serve` command do, so the CLI works without the extra.
"""
