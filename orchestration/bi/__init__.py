"""Apache Superset for callmart: its own environment and server (`server.py`), the dashboards as
code (`bundle.py`), and a typed REST client that publishes them with per-client security
(`client.py`, `publish.py`)."""
